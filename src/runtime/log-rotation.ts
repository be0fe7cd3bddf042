/**
 * Log rotation by size, while the service keeps writing.
 *
 * The service writes its log through its own fd (the agent is not in the
 * path, and may not even run), so the file cannot be renamed away: the fd
 * would follow the renamed file. Rotation is copy-truncate, as logrotate's
 * `copytruncate` and pm2-logrotate do: shift `x.log.1` → `x.log.2` … (the
 * oldest beyond `keep` is deleted), copy `x.log` to `x.log.1`, truncate
 * `x.log` to 0. The agent opens logs with O_APPEND, so the service's next
 * write lands at the new end (0): no hole of NUL bytes, no overwritten data.
 *
 * The window: bytes written between the copy's last read and the truncate
 * are lost. Those two are synchronous back-to-back syscalls, so the window
 * is microseconds, unless the agent is descheduled right between them on a
 * busy host. Measured on a 2-core VM at load 7: a writer of 1 line/ms per
 * stream lost 9 lines over 220 rotations; a writer saturating a core
 * (~250,000 lines/s) lost a few lines per rotation on average, once ~1,800
 * (7 ms of its output). A write in flight at that instant may also
 * be cut: the copy then ends with a newline added. Closing the window needs
 * the writer's help (reopen on a signal), pausing it (SIGSTOP or the cgroup
 * freezer: a service left stopped if the agent dies in between), or
 * fallocate's COLLAPSE_RANGE (ext4/xfs only, block-aligned, no Node API);
 * hxe does none of these.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { copyFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { createTicker } from '../metrics/ticker.js';

/** Default `logs.max_size`: 20 MiB. */
export const DEFAULT_LOG_MAX_SIZE = 20 * 1024 * 1024;
const NEWLINE = 0x0a;

/** Default `logs.keep`: rotated files kept. */
export const DEFAULT_LOG_KEEP = 5;

export interface RotationPolicy {
  /** Rotate once the file is larger than this many bytes. */
  maxSize: number;
  /** Rotated files kept (`x.log.1` is the newest); 0 only truncates. */
  keep: number;
}

/**
 * Rotates `file` if it is larger than `maxSize`. Resolves true if it did,
 * false if the file is small enough or does not exist; rejects on I/O
 * errors (the live file is then left as it was, or already truncated only
 * if the copy completed).
 */
export async function rotateIfNeeded(file: string, policy: RotationPolicy): Promise<boolean> {
  const size = await stat(file).then((s) => s.size, () => null);
  if (size === null || size <= policy.maxSize) return false;
  const keep = Math.max(0, Math.floor(policy.keep));
  await shiftRotated(file, keep);
  if (keep > 0) await copyFile(file, `${file}.1`);
  truncateAfterCopy(file, keep > 0 ? `${file}.1` : null);
  return true;
}

/**
 * Makes room for a new `file.1`: deletes `file.N` for every N ≥ keep (the
 * one about to fall off, and any left by a larger `keep` before), then
 * renames the others N → N+1, oldest first. Gaps in the numbering stay.
 */
async function shiftRotated(file: string, keep: number): Promise<void> {
  const indexes = await rotatedIndexes(file);
  for (const index of indexes) {
    if (index >= Math.max(keep, 1)) await rm(`${file}.${index}`, { force: true });
    else await rename(`${file}.${index}`, `${file}.${index + 1}`);
  }
}

/** The N of every existing `file.N`, highest first. */
async function rotatedIndexes(file: string): Promise<number[]> {
  const prefix = `${basename(file)}.`;
  const names = await readdir(dirname(file));
  return names
    .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
    .map((name) => Number(name.slice(prefix.length)))
    .sort((a, b) => b - a);
}

/**
 * Appends to `copy` what was written to `file` since copyFile took its size,
 * then truncates `file`. Synchronous on purpose: nothing runs between the
 * read that finds the end and the truncate, which keeps the loss window to
 * the time between those two syscalls.
 */
function truncateAfterCopy(file: string, copy: string | null): void {
  const source = openSync(file, 'r+');
  const target = copy === null ? null : openSync(copy, 'r+');
  try {
    if (target !== null) catchUp(source, target);
    ftruncateSync(source, 0);
  } finally {
    if (target !== null) closeSync(target);
    closeSync(source);
  }
}

function catchUp(source: number, target: number): void {
  const buffer = Buffer.allocUnsafe(64 * 1024);
  // The copy's size says where copyFile stopped.
  let position = fstatSync(target).size;
  for (;;) {
    const read = readSync(source, buffer, 0, buffer.length, position);
    if (read === 0) break;
    writeSync(target, buffer, 0, read, position);
    position += read;
  }
  endWithNewline(target, position, buffer);
}

/**
 * A write in flight at the copy's last read may be seen in part (its rest
 * then goes with the truncate): end the copy with a newline so that the cut
 * line does not run into the first line of the next file when read in order.
 */
function endWithNewline(target: number, size: number, buffer: Buffer): void {
  if (size === 0) return;
  readSync(target, buffer, 0, 1, size - 1);
  if (buffer[0] !== NEWLINE) writeSync(target, '\n', size);
}

/** One log file and how it rotates. */
export interface RotatedFile extends RotationPolicy {
  file: string;
}

export interface LogRotatorOptions {
  /** Time between the end of one check and the start of the next. */
  intervalMs: number;
  /** The files to check, asked at every check (e.g. both logs of every instance). */
  files: () => RotatedFile[];
  onRotate?: (file: string) => void;
  /** Told about a file that could not be rotated (the others are still checked); `file` is '' when `files()` threw. */
  onError?: (err: unknown, file: string) => void;
}

export interface LogRotator {
  /** Starts checking (the first check after one interval); idempotent. The timer never keeps the process alive. */
  start(): void;
  /** Stops checking; a check in flight finishes. */
  stop(): void;
  /** Checks every file now (or joins the check in flight); resolves with the files rotated. */
  checkNow(): Promise<string[]>;
}

/** Creates a rotator that checks `files()` every `intervalMs`, one file after another, never overlapping itself. */
export function createLogRotator(options: LogRotatorOptions): LogRotator {
  const check = async (): Promise<string[]> => {
    const rotated: string[] = [];
    for (const { file, maxSize, keep } of options.files()) {
      try {
        if (!(await rotateIfNeeded(file, { maxSize, keep }))) continue;
        rotated.push(file);
        options.onRotate?.(file);
      } catch (err) {
        options.onError?.(err, file);
      }
    }
    return rotated;
  };
  const ticker = createTicker(options.intervalMs, check, (err) => options.onError?.(err, ''));
  return { start: ticker.start, stop: ticker.stop, checkNow: ticker.runNow };
}
