/**
 * Memory limits: real processes over and under a limit, and the grace logic.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryWatchdog, findOverLimit } from '../../src/metrics/memory-watchdog.js';
import type { InstanceSample } from '../../src/metrics/sample.js';
import { createMetricsSampler } from '../../src/metrics/sampler.js';
import { trackPids, waitFor, type PidTracker } from '../helpers/processes.js';
import { createGroups } from './spawn-group.js';

const MIB = 1024 * 1024;
let tracker: PidTracker;
let groups: ReturnType<typeof createGroups>;

beforeEach(() => {
  tracker = trackPids();
  groups = createGroups(tracker);
});

afterEach(async () => {
  groups.killGroups();
  await tracker.assertNoLeftovers();
});

function sample(instance: string, memoryBytes: number, at: number, pid = 10): InstanceSample {
  return { instance, pid, at, memoryBytes, cpuPercent: 0, cpuSeconds: 0, processes: 1 };
}

describe('findOverLimit with real processes', () => {
  it('flags a process that grew past its limit, and not a small one under the same limit', async () => {
    const big = await groups.startFixture('grow-memory.mjs', ['96']);
    const small = await groups.start('sleep', ['60']);
    const sampler = createMetricsSampler({
      intervalMs: 1000,
      targets: () => [{ instance: 'big', pid: big }, { instance: 'small', pid: small }],
      onSample: () => {},
    });
    // Node's own RSS is ~40 MiB: past 96 MiB the 96 MiB of buffers are resident.
    await waitFor(async () => (await sampler.sampleNow()).find((s) => s.instance === 'big')!.memoryBytes > 96 * MIB, {
      what: 'grow-memory to allocate 96 MiB',
    });
    const samples = [sampler.latest('big'), sampler.latest('small')] as InstanceSample[];

    const over = findOverLimit(samples, () => 64 * MIB);

    expect(over).toEqual([{ instance: 'big', pid: big, memoryBytes: samples[0].memoryBytes, limit: 64 * MIB }]);
    expect(findOverLimit(samples, () => null)).toEqual([]);
  });
});

describe('findOverLimit', () => {
  const limits = (instance: string) => ({ a: 100, b: 100, c: 0 })[instance] ?? null;

  it('needs the last `graceSamples` samples of the same pid over the limit, in any order', () => {
    const samples = [sample('a', 150, 3), sample('a', 50, 1), sample('a', 150, 2), sample('b', 150, 1), sample('b', 150, 2, 11)];
    expect(findOverLimit(samples, limits, 2)).toEqual([{ instance: 'a', pid: 10, memoryBytes: 150, limit: 100 }]);
    expect(findOverLimit(samples, limits, 3)).toEqual([]);
    expect(findOverLimit(samples, limits).map((o) => o.instance)).toEqual(['a', 'b']);
  });

  it('ignores instances without a limit or with a limit that is not positive, and exactly at the limit', () => {
    expect(findOverLimit([sample('c', 500, 1), sample('z', 500, 1), sample('a', 100, 1)], limits)).toEqual([]);
  });
});

describe('createMemoryWatchdog', () => {
  it('flags after `graceSamples` consecutive ticks over, while over, and starts over when under or restarted', () => {
    const watchdog = createMemoryWatchdog(() => 100, 2);
    expect(watchdog.check([sample('a', 150, 1)])).toEqual([]);
    expect(watchdog.check([sample('a', 150, 2)])).toEqual([{ instance: 'a', pid: 10, memoryBytes: 150, limit: 100 }]);
    expect(watchdog.check([sample('a', 160, 3)])).toHaveLength(1);
    expect(watchdog.check([sample('a', 90, 4)])).toEqual([]);
    expect(watchdog.check([sample('a', 150, 5)])).toEqual([]);
    expect(watchdog.check([sample('a', 150, 6, 11)])).toEqual([]); // new pid: a new process
    watchdog.reset('a');
    expect(watchdog.check([sample('a', 150, 7, 11)])).toEqual([]);
    expect(watchdog.check([sample('a', 150, 8, 11)])).toEqual([{ instance: 'a', pid: 11, memoryBytes: 150, limit: 100 }]);
  });
});
