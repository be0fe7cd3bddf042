/**
 * Spawns take turns of the event loop. A spawn is a synchronous fork +
 * exec of the whole agent (milliseconds each, more on a loaded host): run
 * back to back in one phase of the loop (50 restarts after 50 exits), they
 * held off every API request, log line and store write for the whole
 * batch. Forks run back to back for at most SPAWN_TURN_MS, then the loop
 * polls for I/O before the next ones. (One fork per turn kept the API as
 * responsive, but spread a start of 1,000 over so many turns that the
 * agent's RSS grew by ~40 MB.)
 */

/** How long forks may run back to back before the loop polls for I/O. */
export const SPAWN_TURN_MS = 15;

const waiting: (() => void)[] = [];
let scheduled = false;

/**
 * Runs `fork` (synchronous: the spawn itself, with whatever must be set up
 * before its first event) in a turn, and resolves with what it returned.
 */
export function runInSpawnTurn<T>(fork: () => T): Promise<Awaited<T>> {
  return new Promise<Awaited<T>>((resolve, reject) => {
    waiting.push(() => {
      try {
        resolve(fork() as Awaited<T>);
      } catch (err) {
        reject(err);
      }
    });
    if (!scheduled) {
      scheduled = true;
      setImmediate(release);
    }
  });
}

// An immediate set while immediates run waits for the next turn: the poll phase comes first.
function release(): void {
  const started = performance.now();
  while (waiting.length > 0 && performance.now() - started < SPAWN_TURN_MS) waiting.shift()?.();
  if (waiting.length > 0) setImmediate(release);
  else scheduled = false;
}
