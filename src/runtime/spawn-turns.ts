/**
 * Spawns take turns, one per turn of the event loop. A spawn is a
 * synchronous fork + exec of the whole agent (milliseconds each, more on a
 * loaded host): run back to back in one phase of the loop (50 restarts
 * after 50 exits), they held off every API request, log line and store
 * write for the whole batch. One fork per turn lets the loop poll for I/O
 * between any two, and costs nothing else: a turn with nothing to do is
 * microseconds.
 */

const waiting: (() => void)[] = [];
let scheduled = false;

/** Resolves when it is this caller's turn to fork; the caller forks before its next await. */
export function spawnTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!scheduled) {
      scheduled = true;
      setImmediate(release);
    }
  });
}

// An immediate set while immediates run waits for the next turn: the poll phase comes first.
function release(): void {
  waiting.shift()?.();
  if (waiting.length > 0) setImmediate(release);
  else scheduled = false;
}
