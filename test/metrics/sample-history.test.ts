/**
 * The per-instance sample history: oldest first, at most `retention` kept,
 * through the ring's growth and wrap-around, with every field kept exactly.
 */
import { describe, expect, it } from 'vitest';
import type { InstanceSample } from '../../src/metrics/sample.js';
import { createSampleHistory } from '../../src/metrics/sample-history.js';

function sample(instance: string, n: number): InstanceSample {
  return { instance, pid: 40_000 + n, at: 1_796_200_000_000 + n * 10_000, cpuPercent: n / 3, cpuSeconds: n * 0.013, memoryBytes: 2 ** 40 + n, processes: 1 + (n % 4) };
}

describe('sample history', () => {
  it('keeps the last `retention` samples oldest first, exactly, as it grows and wraps around', () => {
    for (const retention of [1, 5, 16, 17, 100, 360]) {
      const history = createSampleHistory(retention);
      const added: InstanceSample[] = [];
      for (let n = 0; n < 3 * retention + 7; n++) {
        const next = sample('web-0', n);
        history.add(next);
        added.push(next);
        expect(history.list('web-0'), `retention ${retention}, after ${n + 1}`).toEqual(added.slice(-retention));
        expect(history.latest('web-0')).toEqual(next);
      }
    }
  });

  it('keeps instances apart, and forgets one', () => {
    const history = createSampleHistory(3);
    for (let n = 0; n < 5; n++) {
      history.add(sample('a', n));
      history.add(sample('b', 100 + n));
    }
    expect(history.list('a').map((s) => s.pid)).toEqual([40_002, 40_003, 40_004]);
    expect(history.list('b').map((s) => s.instance)).toEqual(['b', 'b', 'b']);
    history.forget('a');
    expect(history.list('a')).toEqual([]);
    expect(history.latest('a')).toBeUndefined();
    expect(history.list('b').map((s) => s.pid)).toEqual([40_102, 40_103, 40_104]);
  });

  it('hands out copies: changing a listed sample changes nothing kept', () => {
    const history = createSampleHistory(4);
    history.add(sample('web-0', 1));
    history.list('web-0')[0].cpuPercent = 99;
    expect(history.list('web-0')[0].cpuPercent).toBe(1 / 3);
  });
});
