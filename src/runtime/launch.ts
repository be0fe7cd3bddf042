/**
 * The fork + exec of one service process, and nothing else: what both the
 * agent (inline) and the spawn helper run. Kept free of heavy imports, so
 * that the helper process stays small.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { execa } from 'execa';

/** Everything the fork + exec needs, resolved and checked by the agent. */
export interface LaunchSpec {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  uid?: number;
  gid?: number;
  /** The instance's stdout and stderr log files, appended to; their directory is made when missing. */
  out: string;
  err: string;
  logDir: string;
}

/**
 * Spawns the process in its own process group (pid = pgid), stdin
 * /dev/null, stdout/stderr appended to its log files through fds it owns:
 * it keeps logging without its parent, and no pipe ties the parent to
 * grandchildren. The parent's copies of the fds are closed at once.
 * Returns synchronously so the caller can watch for exit before any event.
 */
export function launchProcess(spec: LaunchSpec): ReturnType<typeof execa> {
  const out = openLog(spec.out, spec.logDir);
  try {
    const err = openLog(spec.err, spec.logDir);
    try {
      const identity = { ...(spec.uid === undefined ? {} : { uid: spec.uid }), ...(spec.gid === undefined ? {} : { gid: spec.gid }) };
      return execa(spec.file, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        extendEnv: false, // execa merges process.env by default: only our env
        detached: true,
        cleanup: false, // execa would kill it when its parent exits
        reject: false,
        stdin: 'ignore',
        // execa's types list fds 3-9 only; at run time any fd goes through to spawn.
        stdout: out as 3,
        stderr: err as 3,
        ...identity,
      });
    } finally {
      closeSync(err);
    }
  } finally {
    closeSync(out);
  }
}

/** Opens a log file to append to; the directory is made only when missing (not a mkdir per spawn). */
function openLog(file: string, logDir: string): number {
  try {
    return openSync(file, 'a', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirSync(logDir, { recursive: true, mode: 0o700 });
    return openSync(file, 'a', 0o600);
  }
}
