/**
 * A PM2 ecosystem file → its app list, read as PM2 reads it:
 * `*.config.js|cjs|mjs` run in a child process, JSON and JSON5 (PM2's
 * examples use unquoted keys), YAML; the apps under `apps`, `pm2`, or the
 * document itself when it is an array.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { describeFsError } from '../collect-files.js';
import { isPlainObject } from '../parse-outcome.js';
import { loadJsConfig } from './load-js-config.js';
import { FILE_LEVEL_UNMAPPED } from './pm2-fields.js';

export type EcosystemKind = 'js' | 'json' | 'yaml';

/** The kind of ecosystem file a path names, or null (the names PM2 itself recognises). */
export function ecosystemKindOf(path: string): EcosystemKind | null {
  const name = basename(path);
  if (/\.config\.(c|m)?js$/.test(name)) return 'js';
  if (/\.json5?$/.test(name)) return 'json';
  if (/\.ya?ml$/.test(name)) return 'yaml';
  return null;
}

export interface ReadEcosystem {
  /** Null when the file could not be read or has no app list. */
  apps: unknown[] | null;
  /** Why not, with a line where the parser gives one. */
  problem: { line: number | null; message: string } | null;
  /** Top-level keys besides the app list. */
  warnings: string[];
}

export async function readEcosystem(absolute: string, kind: EcosystemKind): Promise<ReadEcosystem> {
  let document: unknown;
  try {
    document = kind === 'js' ? await loadJsConfig(absolute) : await parseText(await readFile(absolute, 'utf8'), kind);
  } catch (err) {
    const line = (err as { line?: unknown }).line;
    const message = (err as NodeJS.ErrnoException).code ? describeFsError(err) : (err as Error).message;
    return { apps: null, problem: { line: typeof line === 'number' ? line : null, message }, warnings: [] };
  }
  return appsOf(document);
}

async function parseText(text: string, kind: 'json' | 'yaml'): Promise<unknown> {
  if (kind === 'json') {
    const { default: JSON5 } = await import('json5');
    try {
      return JSON5.parse(text);
    } catch (err) {
      // JSON5 says "JSON5: invalid character 'x' at 3:5" and sets lineNumber.
      throw Object.assign(new Error((err as Error).message.replace(/^JSON5: /, '')), { line: (err as { lineNumber?: number }).lineNumber });
    }
  }
  // The default export: the bundle reaches yaml's CommonJS build, whose named exports are not split out.
  const { default: YAML } = await import('yaml');
  const parsed = YAML.parseDocument(text);
  const error = parsed.errors[0];
  if (error) throw Object.assign(new Error(error.message.split('\n')[0]), { line: error.linePos?.[0].line });
  return parsed.toJS() as unknown;
}

/** `{ apps: [...] }`, `{ pm2: [...] }` or `[...]`; a single app object is a list of one. */
function appsOf(document: unknown): ReadEcosystem {
  if (Array.isArray(document)) return { apps: document, problem: null, warnings: [] };
  if (!isPlainObject(document)) {
    return { apps: null, problem: { line: null, message: 'expected an ecosystem: { apps: [...] }, { pm2: [...] } or a list of apps' }, warnings: [] };
  }
  const key = 'apps' in document ? 'apps' : 'pm2' in document ? 'pm2' : null;
  if (key === null) {
    const message = 'no apps: a PM2 ecosystem file has an "apps" (or "pm2") list; hxe manifests are .hcl or .toml files';
    return { apps: null, problem: { line: null, message }, warnings: [] };
  }
  const list = document[key];
  const apps = Array.isArray(list) ? list : [list];
  const warnings = Object.keys(document)
    .filter((other) => other !== key)
    .map((other) => `${other}: not mapped: ${FILE_LEVEL_UNMAPPED[other] ?? 'not an ecosystem key hxe knows'}`);
  return { apps, problem: null, warnings };
}
