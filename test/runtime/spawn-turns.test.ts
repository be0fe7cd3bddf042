import { describe, expect, it } from 'vitest';
import { runInSpawnTurn, SPAWN_TURN_MS } from '../../src/runtime/spawn-turns.js';

/** Spends `ms` of the event loop's time, as a fork does. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* a fork's synchronous time */ }
}

describe('runInSpawnTurn', () => {
  it('runs forks back to back for at most SPAWN_TURN_MS, then lets a timer that fell due run before the next', async () => {
    const order: string[] = [];
    const fork = (i: number) => () => {
      order.push(`fork ${i}`);
      if (i === 1) setTimeout(() => order.push('timer'), 1);
      busy(SPAWN_TURN_MS * 0.6);
      return i;
    };
    const results = await Promise.all([1, 2, 3].map((i) => runInSpawnTurn(fork(i))));
    expect(results).toEqual([1, 2, 3]);
    expect(order).toEqual(['fork 1', 'fork 2', 'timer', 'fork 3']);
  });

  it('resolves with a promise the fork returned, and rejects with what the fork threw, in order', async () => {
    const order: number[] = [];
    const ok = runInSpawnTurn(() => { order.push(1); return Promise.resolve(41 + 1); });
    const failed = runInSpawnTurn(() => { order.push(2); throw new Error('cannot fork'); });
    await expect(ok).resolves.toBe(42);
    await expect(failed).rejects.toThrow('cannot fork');
    expect(order).toEqual([1, 2]);
  });
});
