/**
 * The metrics sampler against real process groups.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InstanceSample } from '../../src/metrics/sample.js';
import { createMetricsSampler, type MetricsSamplerOptions } from '../../src/metrics/sampler.js';
import { listGroupMembers } from '../../src/runtime/proc.js';
import { trackPids, waitFor, type PidTracker } from '../helpers/processes.js';
import { createGroups } from './spawn-group.js';

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

function sampler(targets: MetricsSamplerOptions['targets'], extra: Partial<MetricsSamplerOptions> = {}) {
  return createMetricsSampler({ intervalMs: 1000, targets, onSample: () => {}, ...extra });
}

const MIB = 1024 * 1024;

/** RSS of a process from /proc/PID/statm, bytes (4 KiB pages on this platform). */
function rssOf(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096;
}

describe('createMetricsSampler', () => {
  it('measures the whole process group: the leader and its grandchild', async () => {
    const pid = await groups.startFixture('forever.mjs', ['--grandchild'], 2);
    const members = listGroupMembers(pid);
    // Node's RSS grows while it starts: wait until both have settled past 20 MiB.
    await waitFor(() => members.every((member) => rssOf(member) > 20 * MIB), { what: 'both Node processes to start' });
    const metrics = sampler(() => [{ instance: 'web', pid }]);

    const before = members.map(rssOf);
    const [sample] = await metrics.sampleNow();
    const after = members.map(rssOf);

    expect(sample).toMatchObject({ instance: 'web', pid, processes: 2 });
    expect(sample.at).toBeGreaterThan(Date.now() - 60_000);
    const low = before.reduce((a, b) => a + b) * 0.8;
    const high = after.reduce((a, b) => a + b) * 1.2;
    expect(sample.memoryBytes).toBeGreaterThan(low);
    expect(sample.memoryBytes).toBeLessThan(high);
    expect(sample.memoryBytes).toBeGreaterThan(Math.max(...after) + 15 * MIB);
    expect(sample.cpuSeconds).toBeGreaterThan(0);
  });

  it('reports CPU over the last interval: a busy loop uses some, an idle process none', async () => {
    const busy = await groups.start(process.execPath, ['-e', 'for (;;) {}']);
    const idle = await groups.start('sleep', ['60']);
    const metrics = sampler(() => [{ instance: 'busy', pid: busy }, { instance: 'idle', pid: idle }]);

    const first = await metrics.sampleNow();
    await waitFor(() => metrics.sampleNow().then(() => metrics.latest('busy')!.cpuSeconds > first[0].cpuSeconds + 0.2), {
      what: 'the busy loop to use 0.2 s of CPU',
    });

    const busySample = metrics.latest('busy') as InstanceSample;
    const previous = metrics.history('busy').at(-2) as InstanceSample;
    const expected = ((busySample.cpuSeconds - previous.cpuSeconds) * 1000 / (busySample.at - previous.at)) * 100;
    expect(busySample.cpuPercent).toBeGreaterThan(0);
    expect(busySample.cpuPercent).toBeCloseTo(expected, 6);
    expect(metrics.latest('idle')?.cpuPercent).toBe(0);
  });

  it('gives no sample for a dead pid or a bogus target, and never throws', async () => {
    const pid = await groups.start('sleep', ['60']);
    process.kill(pid, 'SIGKILL');
    await waitFor(() => listGroupMembers(pid).length === 0, { what: 'sleep to die' });
    const metrics = sampler(() => [
      { instance: 'dead', pid },
      { instance: 'init', pid: 1 },
      { instance: 'zero', pid: 0 },
      { instance: 'never', pid: 4_000_000 },
    ]);

    await expect(metrics.sampleNow()).resolves.toEqual([]);
    expect(metrics.latest('dead')).toBeUndefined();
  });

  it('keeps `retention` samples per instance and forgets an instance', async () => {
    const pid = await groups.start('sleep', ['60']);
    const metrics = sampler(() => [{ instance: 'db', pid }], { retention: 3 });

    const collected: InstanceSample[] = [];
    for (let i = 0; i < 5; i++) collected.push(...(await metrics.sampleNow()));

    expect(metrics.history('db')).toEqual(collected.slice(-3));
    expect(metrics.latest('db')).toEqual(collected[4]);
    metrics.forget('db');
    expect(metrics.history('db')).toEqual([]);
    expect(metrics.latest('db')).toBeUndefined();
  });

  it('shares a collection in flight instead of overlapping it', async () => {
    const pid = await groups.start('sleep', ['60']);
    let calls = 0;
    const metrics = sampler(() => {
      calls += 1;
      return [{ instance: 'db', pid }];
    });

    const [a, b] = await Promise.all([metrics.sampleNow(), metrics.sampleNow()]);

    expect(calls).toBe(1);
    expect(a).toBe(b);
  });

  it('ticks on its timer without overlapping, and survives a failing tick', async () => {
    const pid = await groups.start('sleep', ['60']);
    let calls = 0;
    let active = 0;
    let overlapped = false;
    const ticks: InstanceSample[][] = [];
    const errors: unknown[] = [];
    const metrics = createMetricsSampler({
      intervalMs: 10,
      targets: () => {
        calls += 1;
        if (calls === 1) throw new Error('first tick fails');
        overlapped ||= active > 0;
        active += 1;
        return [{ instance: 'db', pid }];
      },
      onSample: (samples) => {
        active -= 1;
        ticks.push(samples);
      },
      onError: (err) => errors.push(err),
    });

    metrics.start();
    metrics.start(); // idempotent: still one timer
    await waitFor(() => ticks.length >= 5, { what: '5 ticks' });
    // That stop schedules no other tick is timing logic: ticker.test.ts checks it on a fake clock.
    metrics.stop();

    expect(errors).toHaveLength(1);
    expect(overlapped).toBe(false);
    expect(ticks.at(-1)?.[0]).toMatchObject({ instance: 'db', pid, processes: 1 });
  });
});
