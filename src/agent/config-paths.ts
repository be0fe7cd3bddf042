import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * The --config an agent was last started with, kept in the home so that an
 * agent started later by any CLI command (auto-start) runs with the same
 * configuration.
 */
export async function rememberedConfigPaths(home: string, given: string[] | undefined): Promise<string[]> {
  const file = path.join(home, 'agent-config.json');
  if (given && given.length > 0) {
    const absolute = given.map((p) => path.resolve(p));
    await fs.writeFile(file, `${JSON.stringify({ config: absolute }, null, 1)}\n`, { mode: 0o600 });
    return absolute;
  }
  try {
    const saved = JSON.parse(await fs.readFile(file, 'utf8')) as { config?: unknown };
    return Array.isArray(saved.config) ? saved.config.filter((p): p is string => typeof p === 'string') : [];
  } catch {
    return [];
  }
}
