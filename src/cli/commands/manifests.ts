import { homePaths, resolveHome } from '../../core/home.js';
import type { DesiredService } from '../../core/types.js';
import { sourceSet } from '../context.js';

export interface ManifestArgs {
  filename: string[];
  recursive?: boolean;
  home?: string;
}

/** Loads the manifests named by -f (parsed output cached by content under $HXE_HOME/cache, so an unchanged file costs no HCL parse). */
export async function loadFromArgs(args: ManifestArgs): Promise<{ services: DesiredService[]; source: string; files: string[] }> {
  const { loadManifests } = await import('../../manifest/load.js');
  const { createFileParseCache } = await import('../../manifest/parse-cache.js');
  const cache = createFileParseCache(homePaths(resolveHome(args.home)).cache);
  const result = await loadManifests(args.filename, { recursive: Boolean(args.recursive), cache });
  return { services: result.services, files: result.files, source: sourceSet(args.filename) };
}
