import { describe, expect, it } from 'vitest';
import { parseLoadavg, parseMeminfo, parseMounts, parseNetDev, parseProcStat, readHost, type HostReading } from '../../src/metrics/host-reading.js';
import { HostSampler, toHostSample } from '../../src/metrics/host-sampler.js';
import { renderHostHeader } from '../../src/cli/render/host.js';

const STAT = 'cpu  1000 10 300 8000 50 0 40 0 0 0\ncpu0 500 5 150 4000 25 0 20 0 0 0\nintr 1\n';
const NETDEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:  30308444  125931    0    0    0     0          0         0 30308444  125931    0    0    0     0       0          0
  eth0: 277767426  1000    0    0    0     0          0         0   885973     900    0    0    0     0       0          0
`;
const MOUNTS = [
  'proc /proc proc rw 0 0', 'sysfs /sys sysfs rw 0 0', '/dev/vda / ext4 rw 0 0', 'tmpfs /dev/shm tmpfs rw 0 0',
  'cgroup2 /sys/fs/cgroup cgroup2 rw 0 0', '/dev/vdb /srv/my\\040data xfs rw 0 0', 'overlay /var/lib/docker/overlay2/x/merged overlay rw 0 0',
].join('\n');

function reading(at: number, overrides: Partial<HostReading> = {}): HostReading {
  return {
    at, cpus: 2, cpuSeconds: parseProcStat(STAT), meminfo: parseMeminfo('MemTotal: 1000 kB\nMemAvailable: 250 kB\n'),
    load: parseLoadavg('0.50 0.40 0.30 1/100 42'), filesystems: [{ mountpoint: '/', device: '/dev/vda', fstype: 'ext4', sizeBytes: 100, freeBytes: 20, availBytes: 10 }],
    network: parseNetDev(NETDEV), ...overrides,
  };
}

describe('host readings', () => {
  it('parse /proc/stat in seconds per mode, meminfo in bytes, loadavg and net/dev', () => {
    expect(parseProcStat(STAT)).toEqual({ user: 10, nice: 0.1, system: 3, idle: 80, iowait: 0.5, irq: 0, softirq: 0.4, steal: 0 });
    expect(parseMeminfo('MemTotal:       2048 kB\nMemAvailable:   1024 kB\nHugePages_Total: 0\n')).toMatchObject({ MemTotal: 2048 * 1024, MemAvailable: 1024 * 1024, SwapFree: 0 });
    expect(parseLoadavg('8.94 9.42 10.22 12/344 11347\n')).toEqual({ load1: 8.94, load5: 9.42, load15: 10.22 });
    expect(parseNetDev(NETDEV)).toEqual([
      { device: 'lo', receiveBytes: 30308444, transmitBytes: 30308444 },
      { device: 'eth0', receiveBytes: 277767426, transmitBytes: 885973 },
    ]);
  });

  it('keep the mounts that hold disk space, as node_exporter does, with escaped names decoded', () => {
    expect(parseMounts(MOUNTS).map((m) => m.mountpoint)).toEqual(['/', '/srv/my data']);
  });

  it('read the real host: CPU time, memory, the root filesystem and loopback', async () => {
    const host = await readHost();
    expect(host.cpuSeconds.user).toBeGreaterThan(0);
    expect(host.meminfo.MemTotal).toBeGreaterThan(host.meminfo.MemAvailable);
    expect(host.filesystems.find((f) => f.mountpoint === '/')?.sizeBytes).toBeGreaterThan(0);
    expect(host.network.map((n) => n.device)).toContain('lo');
  });
});

describe('host samples', () => {
  it('give CPU busy % and network rates against the previous reading, memory and disk use in %', () => {
    const first = reading(0);
    const later = reading(2000, {
      cpuSeconds: { ...first.cpuSeconds, user: first.cpuSeconds.user + 3, idle: first.cpuSeconds.idle + 1 },
      network: [{ device: 'eth0', receiveBytes: 277767426 + 4096, transmitBytes: 885973 }],
    });
    expect(toHostSample(first, null)).toMatchObject({ cpuPercent: null, memoryUsedPercent: 75 });
    const sample = toHostSample(later, first);
    expect(sample.cpuPercent).toBe(75);
    expect(sample.network).toEqual([expect.objectContaining({ device: 'eth0', receiveBytesPerSecond: 2048, transmitBytesPerSecond: 0 })]);
    // df: used 80 of used + avail 90.
    expect(sample.filesystems[0].usedPercent).toBe(88.9);
    expect(renderHostHeader(sample)).toMatch(/^host: CPU 75% of 2, memory 750Ki of 1000Ki \(75%\), load 0\.50 0\.40 0\.30\ndisk \/ 88\.9% of 100B; net eth0 in 2\.0Ki\/s out 0B\/s$/);
  });

  it('keep a bounded history', async () => {
    let at = 0;
    const sampler = new HostSampler(2, async () => reading((at += 1000)));
    for (let i = 0; i < 3; i++) await sampler.collect();
    expect(sampler.history().map((p) => p.at)).toEqual([2000, 3000]);
    expect(sampler.latest()?.cpuPercent).toBeNull();
  });
});
