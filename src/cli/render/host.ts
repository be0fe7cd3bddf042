import type { HostSample } from '../../metrics/host-sampler.js';
import { formatBytes, formatCpu } from './instances.js';

/**
 * The host in two lines, for `hxe top`'s header: CPU, memory, load, then
 * disks by use and the busiest network interfaces (loopback left out).
 */
export function renderHostHeader(host: HostSample): string {
  const { MemTotal, MemAvailable } = host.meminfo;
  const cpu = host.cpuPercent === null ? '-' : formatCpu(host.cpuPercent);
  const load = [host.load.load1, host.load.load5, host.load.load15].map((l) => l.toFixed(2)).join(' ');
  const first = `host: CPU ${cpu} of ${host.cpus}, memory ${formatBytes(MemTotal - MemAvailable)} of ${formatBytes(MemTotal)} (${host.memoryUsedPercent}%), load ${load}`;
  const disks = [...host.filesystems].sort((a, b) => b.usedPercent - a.usedPercent).slice(0, 4)
    .map((f) => `${f.mountpoint} ${f.usedPercent}% of ${formatBytes(f.sizeBytes)}`);
  const nets = host.network.filter((n) => n.device !== 'lo' && n.receiveBytes + n.transmitBytes > 0 && n.receiveBytesPerSecond !== null)
    .sort((a, b) => (b.receiveBytesPerSecond! + b.transmitBytesPerSecond!) - (a.receiveBytesPerSecond! + a.transmitBytesPerSecond!)).slice(0, 2)
    .map((n) => `${n.device} in ${formatBytes(n.receiveBytesPerSecond!)}/s out ${formatBytes(n.transmitBytesPerSecond!)}/s`);
  const second = [disks.length ? `disk ${disks.join(', ')}` : '', nets.length ? `net ${nets.join(', ')}` : ''].filter(Boolean).join('; ');
  return second ? `${first}\n${second}` : first;
}
