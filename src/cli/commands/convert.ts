import type { GlobalArgs } from '../context.js';
import { loadFromArgs, type ManifestArgs } from './manifests.js';

/**
 * `hxe convert FILE... [-o hcl|toml] [--env NAME]`: PM2 ecosystem files (or
 * any manifests) as one hxe manifest, printed; no agent needed. Applying
 * the output after the input changes nothing but the services' source.
 */
export async function convertCommand(args: GlobalArgs & ManifestArgs & { output?: 'hcl' | 'toml' }): Promise<number> {
  const { services } = await loadFromArgs(args);
  const { writeManifest } = await import('../../manifest/write-manifest.js');
  process.stdout.write(writeManifest(services, args.output ?? 'hcl'));
  return 0;
}
