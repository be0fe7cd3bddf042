/**
 * The fork + exec of one service process, and nothing else: what both the
 * agent (inline) and the spawn helper run. Kept free of heavy imports, so
 * that the helper process stays small.
 */
import { closeSync, constants, mkdirSync, open, openSync, promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import { execa } from 'execa';

const openAsync = promisify(open);

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
export function launchProcess(spec: LaunchSpec): LaunchedProcess {
  const out = openLog(spec.out, spec.logDir);
  try {
    const err = openLog(spec.err, spec.logDir);
    try {
      return launchWithLogs(spec, out, err);
    } finally {
      closeSync(err);
    }
  } finally {
    closeSync(out);
  }
}

export type LaunchedProcess = ReturnType<typeof execa>;

/** The fork + exec with the log files already open (`out`, `err`: fds the caller closes after). */
export function launchWithLogs(spec: LaunchSpec, out: number, err: number): LaunchedProcess {
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
}

/**
 * Opens both log files, as fds the caller closes once the child has its
 * copies. Files that exist (a restart) open at once; new ones are created
 * off the main thread first: creating a file costs ~0.2–0.6 ms on ext4
 * (measured), and a start of many new services should fork meanwhile.
 */
export async function openLogs(spec: LaunchSpec): Promise<[number, number]> {
  const existing = openExistingLogs(spec);
  if (existing) return existing;
  try {
    await fs.mkdir(spec.logDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw logOpenError(spec.out, err); // a bad directory fails both logs: named by the stdout one
  }
  // Plain fds from the callback API (a FileHandle would be closed by the GC): opened once, not created then reopened.
  const opened = await Promise.allSettled([spec.out, spec.err].map((file) =>
    openAsync(file, 'a', 0o600).catch((err: unknown) => { throw logOpenError(file, err); })));
  const fds = opened.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  // One or both failed: close what opened, and name the stdout log when both failed.
  const failed = opened.find((result) => result.status === 'rejected');
  if (failed) {
    for (const fd of fds) closeSync(fd);
    throw failed.reason;
  }
  return [fds[0], fds[1]];
}

/** Both log files opened to append, if both exist (without O_CREAT: a missing one is not created here); else null. */
function openExistingLogs(spec: LaunchSpec): [number, number] | null {
  const fds: number[] = [];
  try {
    for (const file of [spec.out, spec.err]) fds.push(openSync(file, constants.O_WRONLY | constants.O_APPEND));
    return fds as [number, number];
  } catch {
    for (const fd of fds) closeSync(fd);
    return null; // missing or unopenable: the creating path says why
  }
}

/** Opens a log file to append to; the directory is made only when missing (not a mkdir per spawn). */
function openLog(file: string, logDir: string): number {
  try {
    try {
      return openSync(file, 'a', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      mkdirSync(logDir, { recursive: true, mode: 0o700 });
      return openSync(file, 'a', 0o600);
    }
  } catch (err) {
    throw logOpenError(file, err);
  }
}

/**
 * A log file that cannot be opened is not the command's fault: its own
 * code (ELOG), so that an EACCES of the log is never told as "permission
 * denied" of the command.
 */
function logOpenError(file: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return Object.assign(new Error(`log file cannot be opened: ${file} (${code})`, { cause: err }), { code: 'ELOG' });
}
