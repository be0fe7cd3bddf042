import { homePaths, resolveHome } from '../../core/home.js';
import type { DesiredService } from '../../core/types.js';
import { sourceSet } from '../context.js';

export interface ManifestArgs {
  filename: string[];
  recursive?: boolean;
  home?: string;
  /** PM2 ecosystem files: apply env_NAME over env. */
  env?: string;
}

/** Loads the manifests named by -f, printing PM2 ecosystem warnings to stderr (parsed output cached by content under $HXE_HOME/cache, so an unchanged file costs no HCL parse). */
export async function loadFromArgs(args: ManifestArgs): Promise<{ services: DesiredService[]; source: string; files: string[] }> {
  const { loadManifests } = await import('../../manifest/load.js');
  const { createFileParseCache } = await import('../../manifest/parse-cache.js');
  const cache = createFileParseCache(homePaths(resolveHome(args.home)).cache);
  const result = await loadManifests(args.filename, { recursive: Boolean(args.recursive), cache, pm2Env: args.env });
  for (const warning of result.warnings) process.stderr.write(`warning: ${warning}\n`);
  return { services: result.services, files: result.files, source: sourceSet(args.filename) };
}
