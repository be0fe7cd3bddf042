/**
 * Log rotation by size, while the service keeps writing.
 *
 * The service writes its log through its own fd (the agent is not in the
 * path, and may not even run), so the file cannot be renamed away: the fd
 * would follow the renamed file. Rotation is copy-truncate, as logrotate's
 * `copytruncate` and pm2-logrotate do, with a byte budget: the rotated
 * files `x.log.1` (newest) … `x.log.KEEP` hold together at most
 * KEEP × max_size bytes, the newest output. A rotation copies the tail of
 * `x.log` that fits the budget (all of it, unless the file grew far past
 * max_size) to a new `x.log.1`, after shifting the others up and cutting
 * the head off the oldest one (or deleting it) to make room; then it
 * truncates `x.log` to 0. The agent opens logs with O_APPEND, so the
 * service's next write lands at the new end (0): no hole of NUL bytes, no
 * overwritten data. Disk use stays within (KEEP + 1) × max_size plus what
 * the service writes between two checks and during one copy.
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
import { closeSync, fstatSync, ftruncateSync, openSync, read, readSync, write, writeSync } from 'node:fs';
import { readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { promisify } from 'node:util';

/** Default `logs.max_size`: 20 MiB. */
export const DEFAULT_LOG_MAX_SIZE = 20 * 1024 * 1024;

/** Default `logs.keep`: rotated files kept. */
export const DEFAULT_LOG_KEEP = 5;

const NEWLINE = 0x0a;
const CHUNK = 1024 * 1024;
const readAsync = promisify(read);
const writeAsync = promisify(write);

export interface RotationPolicy {
  /** Rotate once the file is larger than this many bytes. */
  maxSize: number;
  /** Rotated files kept (`x.log.1` is the newest), together at most keep × maxSize bytes; 0 only truncates. */
  keep: number;
}

/**
 * Rotates `file` if it is larger than `maxSize`. Resolves true if it did,
 * false if the file is small enough or does not exist; rejects on I/O
 * errors (the live file is then left as it was, or already truncated only
 * if the copy completed).
 */
export async function rotateIfNeeded(file: string, policy: RotationPolicy): Promise<boolean> {
  let fd: number;
  try {
    fd = openSync(file, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  try {
    const { size } = fstatSync(fd);
    if (size <= policy.maxSize) return false;
    await rotateOpenLog(file, fd, size, policy);
    return true;
  } finally {
    closeSync(fd);
  }
}

/**
 * Rotates the live log `file`, open read-write on `fd`, whose size was `size`.
 * Deletes and trims old rotated files before copying, so the copy never
 * needs more room than the budget it fills.
 */
export async function rotateOpenLog(file: string, fd: number, size: number, policy: RotationPolicy): Promise<void> {
  const keep = Math.max(0, Math.floor(policy.keep));
  if (keep === 0) {
    await makeRoom(file, 0, 0);
    ftruncateSync(fd, 0);
    return;
  }
  const budget = keep * policy.maxSize;
  const start = lineStart(fd, Math.max(0, size - budget), size);
  await makeRoom(file, keep, budget - (size - start));
  const target = openSync(`${file}.1`, 'w+', fstatSync(fd).mode & 0o777);
  try {
    await copyRange(fd, target, start, size);
    truncateAfterCatchUp(fd, target, size, budget);
  } finally {
    closeSync(target);
  }
}

/** `from` if a line starts there, else the start of the next line when one starts before `end` (a cut copy then begins with a whole line). */
function lineStart(fd: number, from: number, end: number): number {
  if (from === 0) return 0;
  const buffer = Buffer.allocUnsafe(Math.min(64 * 1024, end - from + 1));
  const read = readSync(fd, buffer, 0, buffer.length, from - 1);
  const newline = buffer.subarray(0, read).indexOf(NEWLINE);
  return newline >= 0 && from + newline < end ? from + newline : from;
}

/**
 * Makes room for a new `file.1` of the budget less `room` bytes: deletes
 * `file.N` for every N ≥ keep and every file past the room, cuts the head
 * off the file that straddles it, then renames the others N → N+1, oldest
 * first. Gaps in the numbering stay.
 */
async function makeRoom(file: string, keep: number, room: number): Promise<void> {
  const indexes = await rotatedIndexes(file);
  let left = room;
  const kept: number[] = [];
  for (const index of indexes) {
    const path = `${file}.${index}`;
    const size = index < keep && left > 0 ? fileSize(path) : null;
    if (size === null) {
      await rm(path, { force: true });
      continue;
    }
    if (size > left) await trimHead(path, size - left);
    left -= Math.min(size, left);
    kept.push(index);
  }
  for (const index of kept.reverse()) await rename(`${file}.${index}`, `${file}.${index + 1}`);
}

/** The N of every existing `file.N`, lowest (newest) first. */
async function rotatedIndexes(file: string): Promise<number[]> {
  const prefix = `${basename(file)}.`;
  const names = await readdir(dirname(file));
  return names
    .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
    .map((name) => Number(name.slice(prefix.length)))
    .sort((a, b) => a - b);
}

function fileSize(path: string): number | null {
  const fd = openSync(path, 'r');
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

/**
 * Drops the first `drop` bytes of a rotated file (and the rest of the line
 * they cut), in place: each chunk is read ahead of where it is written back,
 * so the file never needs room for a second copy. Only old, finished files
 * are trimmed; an agent killed mid-way leaves that oldest file with some
 * lines twice.
 */
async function trimHead(path: string, drop: number): Promise<void> {
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    const from = lineStart(fd, drop, size);
    const buffer = Buffer.allocUnsafe(CHUNK);
    let position = from;
    while (position < size) {
      const { bytesRead } = await readAsync(fd, buffer, 0, Math.min(CHUNK, size - position), position);
      if (bytesRead === 0) break;
      await writeAsync(fd, buffer, 0, bytesRead, position - from);
      position += bytesRead;
    }
    ftruncateSync(fd, position - from);
  } finally {
    closeSync(fd);
  }
}

/** Copies bytes [start, end) of `source` to the start of `target`, without blocking the event loop. */
async function copyRange(source: number, target: number, start: number, end: number): Promise<void> {
  const buffer = Buffer.allocUnsafe(CHUNK);
  for (let position = start; position < end;) {
    const { bytesRead } = await readAsync(source, buffer, 0, Math.min(CHUNK, end - position), position);
    if (bytesRead === 0) break; // truncated under us
    await writeAsync(target, buffer, 0, bytesRead, position - start);
    position += bytesRead;
  }
}

/**
 * Appends to the copy what was written to the live file from `from` on (at
 * most `limit` bytes), then truncates the live file. Synchronous on
 * purpose: nothing runs between the read that finds the end and the
 * truncate, which keeps the loss window to the time between those two
 * syscalls.
 */
function truncateAfterCatchUp(source: number, target: number, from: number, limit: number): void {
  const buffer = Buffer.allocUnsafe(CHUNK);
  let position = fstatSync(target).size;
  for (let caught = 0; caught < limit;) {
    const read = readSync(source, buffer, 0, CHUNK, from + caught);
    if (read === 0) break;
    writeSync(target, buffer, 0, read, position);
    position += read;
    caught += read;
  }
  ftruncateSync(source, 0);
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
