/**
 * An open /proc/PID/stat, read again at each poll: one pread instead of an
 * open, read and close, and it names the process, not the number. Once the
 * process is reaped, reads fail with ESRCH even if its pid is reused (the
 * file belongs to the old process); a zombie still reads, with state Z.
 * So it tells an exit like a pidfd would, without a native addon.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { hasEnded, STAT_BUFFER_SIZE, statState } from '../core/proc-stat.js';

export interface StatHandle {
  /** True while the process runs (not a zombie, not reaped). */
  running(): boolean;
  close(): void;
}

const buffer = Buffer.alloc(STAT_BUFFER_SIZE);

/** Opens the stat file of `pid`, or returns null if there is no such process. */
export function openStatHandle(pid: number): StatHandle | null {
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/stat`, 'r');
  } catch {
    return null;
  }
  let open = true;
  return {
    running() {
      if (!open) return false;
      try {
        const state = statState(buffer, readSync(fd, buffer, 0, buffer.length, 0));
        return state !== null && !hasEnded(state);
      } catch {
        return false;
      }
    },
    close() {
      if (!open) return;
      open = false;
      closeSync(fd);
    },
  };
}
