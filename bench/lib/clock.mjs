/** Monotonic time and waiting. */
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';

export { sleep };

export function now() {
  return performance.now();
}

/**
 * Calls check() until it returns a truthy value, at most every intervalMs,
 * and gives up with an error after timeoutMs. Returns check()'s value.
 */
export async function waitFor(what, check, { timeoutMs = 30_000, intervalMs = 5 } = {}) {
  const deadline = now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
