import { describe, expect, it, vi } from 'vitest';
import { runInSpawnTurn, SPAWN_TURN_MS } from '../../src/runtime/spawn-turns.js';

/** Spends `ms` of real time (Date.now: the turn's clock is faked below), as a fork does. */
function busy(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) { /* a fork's synchronous time */ }
}

describe('runInSpawnTurn', () => {
  it('runs forks back to back for at most SPAWN_TURN_MS, then lets a timer that fell due run before the next', async () => {
    // The turn's budget on a fake clock: on a loaded machine a preempted fork spent it alone in real time.
    // Each fork also spends 2 ms of real time, so the 1 ms timer is due when the loop polls.
    let turnClock = 0;
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => turnClock);
    const order: string[] = [];
    const fork = (i: number) => () => {
      order.push(`fork ${i}`);
      if (i === 1) setTimeout(() => order.push('timer'), 1);
      turnClock += SPAWN_TURN_MS * 0.6;
      busy(2);
      return i;
    };
    try {
      const results = await Promise.all([1, 2, 3].map((i) => runInSpawnTurn(fork(i))));
      expect(results).toEqual([1, 2, 3]);
      expect(order).toEqual(['fork 1', 'fork 2', 'timer', 'fork 3']);
    } finally {
      clock.mockRestore();
    }
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
