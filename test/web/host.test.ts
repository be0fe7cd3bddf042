import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const STATIC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/web/static');
interface Fact { term: string; value: string; title: string; warn?: boolean }
const { hostFacts } = await import(pathToFileURL(path.join(STATIC, 'host.js')).href) as { hostFacts(sample: unknown): Fact[] };

describe("the page's host strip", () => {
  it('shows CPU, memory, load, the fullest disks (marked from 90 %) and the busiest interface', () => {
    const facts = hostFacts({
      cpus: 4, cpuPercent: 12.5, memoryUsedPercent: 61.2,
      meminfo: { MemTotal: 8 * 1024 ** 3, MemAvailable: 3 * 1024 ** 3 },
      load: { load1: 1.5, load5: 1, load15: 0.5 },
      filesystems: [
        { mountpoint: '/', device: '/dev/sda1', usedPercent: 40, availBytes: 1, sizeBytes: 2 },
        { mountpoint: '/data', device: '/dev/sdb', usedPercent: 93.5, availBytes: 1, sizeBytes: 2 },
        { mountpoint: '/boot', device: '/dev/sda2', usedPercent: 10, availBytes: 1, sizeBytes: 2 },
      ],
      network: [
        { device: 'lo', receiveBytes: 9, transmitBytes: 9, receiveBytesPerSecond: 1e9, transmitBytesPerSecond: 1e9 },
        { device: 'eth0', receiveBytes: 9, transmitBytes: 9, receiveBytesPerSecond: 2048, transmitBytesPerSecond: 0 },
      ],
    });
    expect(facts.map((f) => `${f.term}=${f.value}${f.warn ? '!' : ''}`)).toEqual([
      'host CPU=13%', 'memory=61.2%', 'load=1.50', 'disk /data=93.5%!', 'disk /=40%', 'eth0=↓2.00 KiB/s ↑0 B/s',
    ]);
    expect(hostFacts(null)).toEqual([]);
  });
});
