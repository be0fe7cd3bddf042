import { promises as fs } from 'node:fs';
import { dataDirPointer, defaultHome } from '../core/home.js';

/**
 * `agent.data_dir` of the configuration given to `hxe agent run|start
 * --config` when neither --home nor HXE_HOME names a home: it becomes the
 * home, and is remembered (in ~/.hxe/data-dir.json) so that later commands
 * find the agent there. A config without data_dir forgets it. Throws the
 * configuration's ManifestError (nothing remembered) when it does not load.
 */
export async function homeFromConfig(configPaths: string[]): Promise<string | undefined> {
  const { loadAgentConfig } = await import('../config/load-config.js');
  const config = await loadAgentConfig(configPaths);
  const dataDir = config.agent.data_dir;
  const pointer = dataDirPointer();
  if (!dataDir) {
    await fs.rm(pointer, { force: true });
    return undefined;
  }
  await fs.mkdir(defaultHome(), { recursive: true, mode: 0o700 });
  await fs.writeFile(pointer, `${JSON.stringify({ data_dir: dataDir }, null, 1)}\n`, { mode: 0o600 });
  return dataDir;
}

/** True when the user named no home: then a configured data_dir decides. */
export function homeUnnamed(flag: string | undefined): boolean {
  return !flag && !process.env.HXE_HOME;
}

