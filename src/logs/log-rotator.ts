/**
 * Watches log sizes and rotates each file as soon as it passes its
 * `max_size`. Each file stays open between checks, and a check reads one
 * byte at offset `max_size` (there is one only in a larger file): no
 * Stats object per file and second, which was half of an idle agent's
 * garbage with 100 services. Cheap enough to run every second for
 * hundreds of files, which is what bounds disk use under a fast writer.
 * Every FULL_CHECK_EVERY-th check (and `checkNow`) also fstats each file,
 * to find one deleted and made anew under the same name.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createTicker } from '../metrics/ticker.js';
import { errorMessage } from '../core/errors.js';
import { rotateOpenLog, type RotationPolicy } from './copy-truncate.js';

/** One log file and how it rotates. */
export interface RotatedFile extends RotationPolicy {
  file: string;
}

/** Every this many timer checks, each file is fstat'ed too (nlink: deleted since?). */
export const FULL_CHECK_EVERY = 10;

export interface LogRotatorOptions {
  /** Time between the end of one check and the start of the next. */
  intervalMs: number;
  /** The files to check, asked at every check (e.g. both logs of every instance). */
  files: () => RotatedFile[];
  onRotate?: (file: string) => void;
  /**
   * Told about a file that could not be checked or rotated (the others are
   * still checked), once until the error changes or the file recovers;
   * `file` is '' when `files()` threw.
   */
  onError?: (err: unknown, file: string) => void;
}

export interface LogRotator {
  /** Starts checking (the first check after one interval); idempotent. The timer never keeps the process alive. */
  start(): void;
  /** Stops checking; resolves once a check in flight has finished (its renames done) and the files are closed. */
  stop(): Promise<void>;
  /** Checks every file now, fully (or joins the check in flight); resolves with the files rotated. */
  checkNow(): Promise<string[]>;
}

/** Creates a rotator that checks `files()` every `intervalMs`, one file after another, never overlapping itself. */
export function createLogRotator(options: LogRotatorOptions): LogRotator {
  const open = new OpenLogs();
  const reported = new Map<string, string>();
  const report = (err: unknown, file: string) => {
    const message = errorMessage(err);
    if (reported.get(file) === message) return;
    reported.set(file, message);
    options.onError?.(err, file);
  };
  let last: Promise<unknown> = Promise.resolve();
  // The same list as last time (files() may cache it) opened nothing new to close.
  let lastWanted: RotatedFile[] | null = null;
  let checks = 0;
  let fullNext = false;
  const check = async (full: boolean): Promise<string[]> => {
    const rotated: string[] = [];
    const wanted = options.files();
    for (const { file, maxSize, keep } of wanted) {
      try {
        if (!full && open.heldWithin(file, maxSize)) {
          reported.delete(file);
          continue;
        }
        const log = open.sizeOf(file);
        if (log && log.size > maxSize) {
          await rotateOpenLog(file, log.fd, log.size, { maxSize, keep });
          rotated.push(file);
          options.onRotate?.(file);
        }
        reported.delete(file);
      } catch (err) {
        report(err, file);
      }
    }
    if (wanted !== lastWanted) open.closeOthers(new Set(wanted.map((entry) => entry.file)));
    lastWanted = wanted;
    return rotated;
  };
  const run = () => {
    const result = check(fullNext || ++checks % FULL_CHECK_EVERY === 0);
    fullNext = false;
    last = result.catch(() => undefined);
    return result;
  };
  const ticker = createTicker(options.intervalMs, run, (err) => report(err, ''));
  return {
    start: ticker.start,
    stop() {
      ticker.stop();
      return last.then(() => open.closeAll());
    },
    checkNow() {
      fullNext = true;
      return ticker.runNow();
    },
  };
}

/** Logs kept open read-write between checks, by path. */
class OpenLogs {
  private readonly fds = new Map<string, number>();
  private readonly probe = Buffer.alloc(1);

  /** True if `file` is held open and has no byte at offset `maxSize` (so it is not larger than that): one pread, nothing allocated. */
  heldWithin(file: string, maxSize: number): boolean {
    const fd = this.fds.get(file);
    return fd !== undefined && readSync(fd, this.probe, 0, 1, maxSize) === 0;
  }

  /** The open fd and size of `file`, or null if it does not exist. A file deleted since (no links left) is opened anew. */
  sizeOf(file: string): { fd: number; size: number } | null {
    const known = this.fds.get(file);
    if (known !== undefined) {
      const stat = fstatSync(known);
      if (stat.nlink > 0) return { fd: known, size: stat.size };
      this.close(file);
    }
    let fd: number;
    try {
      fd = openSync(file, 'r+');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    this.fds.set(file, fd);
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      this.close(file);
      throw new Error(`not a regular file: ${file}`);
    }
    return { fd, size: stat.size };
  }

  /** Closes every file not in `wanted` (an instance removed: its deleted files must not stay held open). */
  closeOthers(wanted: Set<string>): void {
    for (const file of this.fds.keys()) if (!wanted.has(file)) this.close(file);
  }

  closeAll(): void {
    for (const file of [...this.fds.keys()]) this.close(file);
  }

  private close(file: string): void {
    const fd = this.fds.get(file);
    this.fds.delete(file);
    if (fd !== undefined) closeSync(fd);
  }
}
