/**
 * The CPU and memory arithmetic of one instance sample.
 */
import { describe, expect, it } from 'vitest';
import { aggregateGroup, type CpuBaseline, type MeasuredMember } from '../../src/metrics/aggregate.js';

const target = { instance: 'web', pid: 100 };

function member(pid: number, ctimeMs: number, elapsedMs = 60_000, memoryBytes = 1000): MeasuredMember {
  return { pid, startTime: pid * 10, ctimeMs, elapsedMs, memoryBytes };
}

function baseline(at: number, entries: Array<[number, number]>, pid = 100): CpuBaseline {
  return { pid, at, ctimeMs: new Map(entries.map(([p, ctime]) => [`${p}:${p * 10}`, ctime])) };
}

describe('aggregateGroup', () => {
  it('sums memory, CPU seconds and processes of every member', () => {
    const result = aggregateGroup(target, [member(100, 1500, 60_000, 3000), member(101, 500, 60_000, 2000)], undefined, 5000, 10_000);
    expect(result?.sample).toMatchObject({ instance: 'web', pid: 100, at: 5000, cpuSeconds: 2, memoryBytes: 5000, processes: 2 });
  });

  it('takes CPU since the previous sample, in percent of one core', () => {
    const previous = baseline(0, [[100, 1000], [101, 0]]);
    // 10 s of wall time; 5 s + 10 s of CPU: one and a half cores.
    const result = aggregateGroup(target, [member(100, 6000), member(101, 10_000)], previous, 10_000, 10_000);
    expect(result?.sample.cpuPercent).toBe(150);
  });

  it('counts all of a member born within the window, and a lifetime average on a first sample', () => {
    const previous = baseline(0, [[100, 1000]]);
    const newborn = aggregateGroup(target, [member(100, 1000), member(102, 2000, 4000)], previous, 10_000, 10_000);
    expect(newborn?.sample.cpuPercent).toBe(20);
    // No baseline: 6 s of CPU over a 60 s life is 10 % of a core.
    const first = aggregateGroup(target, [member(100, 6000, 60_000)], undefined, 10_000, 10_000);
    expect(first?.sample.cpuPercent).toBe(10);
  });

  it('starts over for a new leader pid or a reused member pid, and never goes negative', () => {
    const stale = baseline(0, [[100, 50_000]], 99);
    expect(aggregateGroup(target, [member(100, 6000)], stale, 10_000, 10_000)?.sample.cpuPercent).toBe(10);
    const reused = { ...member(101, 100, 1000), startTime: 7 }; // another process with pid 101
    const previous = baseline(0, [[100, 0], [101, 9000]]);
    expect(aggregateGroup(target, [member(100, 0), reused], previous, 10_000, 10_000)?.sample.cpuPercent).toBe(1);
  });

  it('returns the baseline for the next sample, and null without members', () => {
    const result = aggregateGroup(target, [member(100, 1500)], undefined, 5000, 10_000);
    expect(result?.baseline).toEqual(baseline(5000, [[100, 1500]]));
    expect(aggregateGroup(target, [], undefined, 5000, 10_000)).toBeNull();
  });
});
