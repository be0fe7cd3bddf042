/**
 * A `*.config.js|cjs|mjs` ecosystem file is code: it runs in a child Node
 * process (never in ours), which hands back `module.exports` (or the
 * default export) as JSON on a pipe of its own (fd 3), so nothing the code
 * prints can pass for the result. A config still running after the
 * timeout is killed.
 */
import { spawn } from 'node:child_process';
import { MAX_MANIFEST_BYTES } from '../collect-files.js';

export const JS_CONFIG_TIMEOUT_MS = 5000;

const LOADER = `
import { pathToFileURL } from 'node:url';
import { writeSync } from 'node:fs';
const loaded = await import(pathToFileURL(process.argv[1]).href);
const named = Object.keys(loaded).length > 0;
const value = loaded.default !== undefined ? loaded.default : named ? { ...loaded } : null;
const text = JSON.stringify(value === undefined ? null : value);
const bytes = Buffer.from(text);
for (let offset = 0; offset < bytes.length; ) offset += writeSync(3, bytes, offset);
process.exit(0);
`;

/** The value the file exports, JSON-decoded. @throws Error saying why it could not be loaded. */
export async function loadJsConfig(absolute: string, timeoutMs = JS_CONFIG_TIMEOUT_MS): Promise<unknown> {
  const child = spawn(process.execPath, ['--input-type=module', '--eval', LOADER, absolute], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  const result: Buffer[] = [];
  const stderr: Buffer[] = [];
  let size = 0;
  child.stdio[3]?.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_MANIFEST_BYTES) child.kill('SIGKILL');
    else result.push(chunk);
  });
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  }).finally(() => clearTimeout(timer));
  if (timedOut) throw new Error(`did not finish loading within ${timeoutMs / 1000}s (a config file must only export its apps)`);
  if (size > MAX_MANIFEST_BYTES) throw new Error(`exports more than ${MAX_MANIFEST_BYTES / 1024 / 1024} MiB of JSON`);
  if (code !== 0 || result.length === 0) throw new Error(`cannot load: ${loadError(Buffer.concat(stderr).toString('utf8'))}`);
  const value = JSON.parse(Buffer.concat(result).toString('utf8')) as unknown;
  // An ES module's `module.exports = ...` (a .js file in a "type": "module" package) exports nothing.
  if (value === null) throw new Error('exports nothing: in a "type": "module" package, write export default { apps: [...] } or name the file .config.cjs');
  return value;
}

/** Node's report of a failed load → its error line, with the location it names when there is one. */
function loadError(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trim()).filter(Boolean);
  const error = lines.find((line) => /^[A-Za-z]*Error\b|^Error:/.test(line)) ?? lines[0] ?? 'the process exited without a result';
  const location = /^file:\/\/\S+?:(\d+)$|^\S+?:(\d+)$/.exec(lines[0] ?? '');
  const line = location?.[1] ?? location?.[2];
  return line ? `line ${line}: ${error}` : error;
}
