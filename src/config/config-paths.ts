import { promises as fs } from 'node:fs';
import path from 'node:path';
import { errorMessage, HxeError } from '../core/errors.js';

/**
 * The --config an agent was last started with, kept in the home so that an
 * agent started later by any CLI command (auto-start) runs with the same
 * configuration.
 */
const FILE = 'agent-config.json';

/** What to do about a remembered configuration that no longer loads. */
export const REPLACE_OR_DROP = 'replace it: `hxe agent start --config NEW`; or drop it: `hxe agent start --no-config`';

/**
 * Loads the agent's configuration: the `given` paths when there are any
 * (remembered only once they load: a bad --config is never kept), else the
 * remembered ones. Resolves null when there is none (the defaults apply).
 * A remembered configuration that no longer loads rejects with an error
 * naming it, its problems, and how to replace or drop it.
 */
export async function loadConfigPaths<T>(home: string, given: string[] | undefined, load: (paths: string[]) => Promise<T>): Promise<T | null> {
  if (given && given.length > 0) {
    const absolute = given.map((p) => path.resolve(p));
    const config = await load(absolute);
    await fs.writeFile(path.join(home, FILE), `${JSON.stringify({ config: absolute }, null, 1)}\n`, { mode: 0o600 });
    return config;
  }
  const remembered = await rememberedConfigPaths(home);
  if (remembered.length === 0) return null;
  try {
    return await load(remembered);
  } catch (err) {
    const code = err instanceof HxeError ? err.code : 'INTERNAL';
    throw new HxeError(code, `the configuration remembered from an earlier --config (${remembered.join(', ')}) no longer loads:\n` +
      `${errorMessage(err)}\n${REPLACE_OR_DROP}`, { cause: err });
  }
}

/** The paths remembered from the last start with --config; [] when none. */
export async function rememberedConfigPaths(home: string): Promise<string[]> {
  try {
    const saved = JSON.parse(await fs.readFile(path.join(home, FILE), 'utf8')) as { config?: unknown };
    return Array.isArray(saved.config) ? saved.config.filter((p): p is string => typeof p === 'string') : [];
  } catch {
    return [];
  }
}

/** `--no-config`: later starts use the defaults. Resolves true when something was remembered. */
export async function forgetConfigPaths(home: string): Promise<boolean> {
  const had = (await rememberedConfigPaths(home)).length > 0;
  await fs.rm(path.join(home, FILE), { force: true });
  return had;
}
