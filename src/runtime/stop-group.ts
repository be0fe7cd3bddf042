/**
 * Stopping a process group: the stop signal to every member, SIGKILL to the
 * group after the timeout, done when no member is left. The group, not the
 * pid: grandchildren (a shell's children, workers) go with their service.
 */
import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { listGroupMembers } from './proc.js';

/** How often, at most, /proc is checked for members left. */
const STOP_POLL_MS = 20;
/** After SIGKILL, members still need the kernel to tear them down. */
const KILL_WAIT_MS = 5_000;

/**
 * Stops group `pgid` (the pid of a process started detached). `exited`, for
 * our own child, resolves on its exit event: waiting for it too means exit
 * listeners have run when this resolves.
 * Resolves when nothing of the group is left (at once if it was empty).
 * Rejects for a pgid that is not a group of a service (≤ 1), an unknown
 * signal, a signal not permitted (EPERM), or a group still alive 5 s after
 * SIGKILL (a process stuck in the kernel).
 */
export async function stopGroup(pgid: number, signal: string, timeoutMs: number, exited?: Promise<void>): Promise<void> {
  refuseNonGroup(pgid);
  const name = normaliseSignal(signal);
  let done = exited === undefined;
  void exited?.then(() => (done = true));
  const gone = () => done && listGroupMembers(pgid).length === 0;

  signalGroup(pgid, name);
  if (await waitUntil(gone, timeoutMs)) return;
  signalGroup(pgid, 'SIGKILL');
  if (await waitUntil(gone, KILL_WAIT_MS)) return;
  throw new Error(`process group ${pgid} still has processes ${listGroupMembers(pgid).join(', ')} after SIGKILL`);
}

/**
 * SIGKILL to group `pgid` at once, without waiting (an exec probe past its
 * timeout). A group already gone is fine; throws for pgid ≤ 1 or EPERM.
 */
export function killGroup(pgid: number): void {
  refuseNonGroup(pgid);
  signalGroup(pgid, 'SIGKILL');
}

function refuseNonGroup(pgid: number): void {
  // kill(-1) and kill(-0) would hit every process we may signal, or our own group.
  if (!Number.isInteger(pgid) || pgid <= 1) throw new Error(`refusing to signal process group ${pgid}`);
}

/** `TERM` or `SIGTERM` → `SIGTERM`; throws for a name the OS does not know. */
export function normaliseSignal(signal: string): NodeJS.Signals {
  const name = (signal.toUpperCase().startsWith('SIG') ? signal : `SIG${signal}`).toUpperCase();
  if (!(name in constants.signals)) throw new Error(`unknown signal: ${signal}`);
  return name as NodeJS.Signals;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    // ESRCH: the group is already gone, which is what we want.
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/**
 * Polls `condition` from 2 ms, doubling up to STOP_POLL_MS: most programs
 * end within a few ms of SIGTERM, and a check of a group already gone is one
 * kill(-pgid, 0) (see listGroupMembers), so early checks are cheap.
 */
async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let interval = 2;
  for (;;) {
    if (condition()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(interval, Math.max(1, deadline - Date.now())));
    interval = Math.min(STOP_POLL_MS, interval * 2);
  }
}
