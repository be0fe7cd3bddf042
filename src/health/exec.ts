/**
 * exec probe: run a command (split like a service's, no shell) with the
 * service's cwd and environment; exit 0 passes. It runs in its own process
 * group so that a timeout kills everything it started, not just its pid.
 */
import { execa } from 'execa';
import type { ProbeContext } from '../core/ports.js';
import type { ProbeResult } from '../core/types.js';
import { splitCommand } from '../runtime/spawn-command.js';
import { killGroup } from '../runtime/stop-group.js';
import { reasonOf, startProbe, timeoutMessage } from './probe-result.js';

// Only the first line of stderr is reported; this bounds what is buffered.
const MAX_STDERR = 64 * 1024;
const MAX_MESSAGE = 200;

/** Never throws: an unsplittable or missing command, a non-zero exit or a timeout is a failed result. */
export async function probeExec(command: string, timeoutMs: number, context: ProbeContext): Promise<ProbeResult> {
  const timer = startProbe();
  let file: string, args: string[];
  try {
    [file, ...args] = splitCommand(command);
  } catch (err) {
    return timer.finish(false, reasonOf(err));
  }
  const child = execa(file, args, {
    cwd: context.cwd ?? process.cwd(),
    env: context.env,
    extendEnv: false, // the context's env is the whole environment
    detached: true,
    cleanup: false,
    reject: false,
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'pipe',
    maxBuffer: MAX_STDERR,
  });
  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
    killProbeGroup(child.pid);
  }, timeoutMs);
  // The await ends once the group is killed, even if a grandchild held stderr.
  const result = await child;
  clearTimeout(deadline);
  if (timedOut) return timer.finish(false, timeoutMessage(timeoutMs));
  if (result.exitCode === 0) return timer.finish(true, 'exit 0');
  return timer.finish(false, describeFailure(file, result));
}

function describeFailure(
  file: string,
  result: { code?: string; exitCode?: number; signal?: string; stderr?: unknown },
): string {
  if (result.code === 'ENOENT') return `command not found: ${file}`;
  if (result.code === 'EACCES') return `permission denied: ${file}`;
  const status = result.exitCode !== undefined ? `exit ${result.exitCode}` : `killed by ${result.signal ?? 'a signal'}`;
  const line = firstLine(typeof result.stderr === 'string' ? result.stderr : '');
  return line ? `${status}: ${line}` : status;
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.trim().slice(0, MAX_MESSAGE);
}

function killProbeGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    killGroup(pid);
  } catch {
    // Not ours to signal any more: the probe fails on its timeout all the same.
  }
}
