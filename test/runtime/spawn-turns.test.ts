import { describe, expect, it } from 'vitest';
import { spawnTurn } from '../../src/runtime/spawn-turns.js';

/** Spends `ms` of the event loop's time, as a fork does. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* a fork's synchronous time */ }
}

describe('spawnTurn', () => {
  it('gives one spawn per turn of the event loop, so a timer that fell due during a fork runs before the next fork', async () => {
    const order: string[] = [];
    const turns = [1, 2, 3].map((i) => spawnTurn().then(() => {
      order.push(`fork ${i}`);
      if (i === 1) setTimeout(() => order.push('timer'), 1);
      busy(5);
    }));
    await Promise.all(turns);
    expect(order).toEqual(['fork 1', 'timer', 'fork 2', 'fork 3']);
  });

  it('resolves turns in the order they were asked for', async () => {
    const order: number[] = [];
    await Promise.all([1, 2, 3, 4].map((i) => spawnTurn().then(() => order.push(i))));
    expect(order).toEqual([1, 2, 3, 4]);
  });
});
