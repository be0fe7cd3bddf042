import { describe, expect, it } from 'vitest';
import { decodeAlertsConfig } from '../../src/alerts/config.js';
import type { HostSample } from '../../src/metrics/host-sampler.js';
import { harness, SECOND, transitions } from './helpers.js';

function host(at: number, disks: Record<string, number>, extra: Partial<HostSample> = {}): HostSample {
  return {
    at, cpus: 2, cpuPercent: 10, memoryUsedPercent: 40,
    cpuSeconds: { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0 },
    meminfo: { MemTotal: 0, MemFree: 0, MemAvailable: 0, Buffers: 0, Cached: 0, SwapTotal: 0, SwapFree: 0 },
    load: { load1: 1, load5: 1, load15: 1 }, network: [],
    filesystems: Object.entries(disks).map(([mountpoint, usedPercent]) => ({ mountpoint, device: 'd', fstype: 'ext4', sizeBytes: 1, freeBytes: 0, availBytes: 0, usedPercent })),
    ...extra,
  };
}

describe('host alert rules', () => {
  it('fire per mount point once disk use stays above the threshold for `for`, and resolve when it drops or the mount goes', async () => {
    const h = harness({ rule: { disk: { type: 'host_disk', above: '90%', for: '10s' } } });
    h.engine.observeHost(host(h.now(), { '/': 95, '/data': 50 }));
    h.advance(5 * SECOND);
    h.engine.observeHost(host(h.now(), { '/': 96, '/data': 50 }));
    expect(await h.sent()).toEqual([]);
    h.advance(5 * SECOND);
    h.engine.observeHost(host(h.now(), { '/': 97, '/data': 93 }));
    expect(transitions(await h.sent())).toEqual([['disk/host:/ firing']]);
    expect(h.engine.active()[0]).toMatchObject({ type: 'host_disk', instance: 'host:/', value: 97, summary: 'disk / 97% above 90% for 10s' });
    h.advance(10 * SECOND);
    h.engine.observeHost(host(h.now(), { '/': 80, '/data': 94 }));
    h.advance(SECOND);
    h.engine.observeHost(host(h.now(), { '/': 80 }));
    expect(transitions(await h.sent()).slice(1).map((t) => t.sort())).toEqual([['disk/host:/ resolved', 'disk/host:/data firing'], ['disk/host:/data resolved']]);
  });

  it('watch host CPU, memory and load on instance `host`', async () => {
    const h = harness({ rule: { cpu: { type: 'host_cpu', above: 80, for: '0s' }, mem: { type: 'host_memory', above: 90, for: '0s' }, load: { type: 'host_load', above: 4, for: '0s' } } });
    h.engine.observeHost(host(h.now(), {}, { cpuPercent: 85, memoryUsedPercent: 95, load: { load1: 5, load5: 1, load15: 1 } }));
    expect((await h.sent()).flatMap((n) => n.alerts.map((a) => a.key)).sort()).toEqual(['cpu/host', 'load/host', 'mem/host']);
  });

  it('refuse host rules with a service filter or a percentage of 100 or more', () => {
    const decoded = decodeAlertsConfig({ rule: { a: { type: 'host_disk', above: 120 }, b: { type: 'host_cpu', services: ['web'] }, c: { type: 'host_load' } } });
    expect('issues' in decoded && decoded.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      expect.stringMatching(/rule\.a\.above: expected a percentage of a filesystem .*got 120/),
      expect.stringMatching(/rule\.b\.services: not used by rules of type host_cpu/),
      expect.stringMatching(/rule\.c\.above: missing, expected a 1-minute load average/),
    ]);
  });
});
