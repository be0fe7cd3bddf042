import { existsSync, promises as fs, renameSync } from 'node:fs';
import path from 'node:path';

export type LogStream = 'out' | 'err';

/** `$HXE_HOME/logs/<instance>.out.log` / `.err.log`: written by the child itself. */
export function logFile(logDir: string, instance: string, stream: LogStream): string {
  return path.join(logDir, `${instance}.${stream}.log`);
}

/**
 * Gives an instance's log files (and their rotated copies) a new instance's
 * name. The process writes through descriptors of its own, which a rename
 * leaves pointing at the same files: it keeps logging, under the new name.
 */
export function moveLogFiles(logDir: string, from: string, to: string, logger?: { warn(obj: object, msg: string): void }): void {
  for (const stream of ['out', 'err'] as const) {
    const source = logFile(logDir, from, stream);
    const target = logFile(logDir, to, stream);
    for (let rotated = 0; rotated === 0 || existsSync(`${source}.${rotated}`); rotated++) {
      const suffix = rotated === 0 ? '' : `.${rotated}`;
      try {
        renameSync(`${source}${suffix}`, `${target}${suffix}`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') logger?.warn({ from, to, err: String(err) }, 'cannot move log file');
      }
    }
  }
}

const CHUNK = 64 * 1024;

/** The last `lines` lines of a file (all of it for lines < 0), reading backwards from the end. */
export async function tailFile(file: string, lines: number): Promise<{ text: string; size: number }> {
  const handle = await fs.open(file, 'r').catch(() => null);
  if (!handle) return { text: '', size: 0 };
  try {
    const { size } = await handle.stat();
    if (lines === 0) return { text: '', size };
    let start = size;
    let text = '';
    while (start > 0) {
      const length = Math.min(CHUNK, start);
      start -= length;
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, start);
      text = buffer.toString('utf8') + text;
      if (lines > 0 && countNewlines(text) > lines) break;
    }
    if (lines < 0) return { text, size };
    const all = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
    const kept = all.slice(-lines).join('\n');
    return { text: kept ? `${kept}\n` : '', size };
  } finally {
    await handle.close();
  }
}

/** Bytes appended to `file` since `offset` (from 0 again if the file was truncated or rotated). */
export async function readFrom(file: string, offset: number): Promise<{ text: string; size: number }> {
  const handle = await fs.open(file, 'r').catch(() => null);
  if (!handle) return { text: '', size: 0 };
  try {
    const { size } = await handle.stat();
    const from = size < offset ? 0 : offset;
    if (size === from) return { text: '', size };
    const buffer = Buffer.alloc(size - from);
    await handle.read(buffer, 0, buffer.length, from);
    return { text: buffer.toString('utf8'), size };
  } finally {
    await handle.close();
  }
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  return count;
}
