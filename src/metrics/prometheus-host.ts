import type { Registry } from 'prom-client';
import { CPU_MODES, MEMINFO_FIELDS } from './host-reading.js';
import type { HostSample } from './host-sampler.js';

type PromClient = typeof import('prom-client');

/**
 * The host's series, named and measured as node_exporter's with `hxe_host_`
 * for `node_`: a dashboard or rule written for one reads the other by
 * changing the prefix (and meminfo fields in snake case:
 * `node_memory_MemAvailable_bytes` is `hxe_host_memory_mem_available_bytes`). Each scrape shows the last sample of the metrics tick.
 */
export function registerHostMetrics(client: PromClient, registry: Registry, latest: () => HostSample | null): void {
  const registers = [registry];
  new client.Counter({
    name: 'hxe_host_cpu_seconds_total', help: 'Seconds all the host\'s CPUs spent in each mode.', labelNames: ['mode'], registers,
    collect() { this.reset(); const s = latest(); if (s) for (const mode of CPU_MODES) this.inc({ mode }, s.cpuSeconds[mode]); },
  });
  for (const field of MEMINFO_FIELDS) {
    new client.Gauge({
      // node_exporter's MemAvailable, in snake case: promtool's lint refuses camelCase names.
      name: `hxe_host_memory_${snakeCase(field)}_bytes`, help: `Memory information field ${field}_bytes.`, registers,
      collect() { const s = latest(); if (s) this.set(s.meminfo[field]); },
    });
  }
  for (const load of ['load1', 'load5', 'load15'] as const) {
    new client.Gauge({
      name: `hxe_host_${load}`, help: `${load.slice(4)}m load average.`, registers,
      collect() { const s = latest(); if (s) this.set(s.load[load]); },
    });
  }
  const fsLabels = ['device', 'fstype', 'mountpoint'] as const;
  const filesystem = { size: 'sizeBytes', free: 'freeBytes', avail: 'availBytes' } as const;
  for (const [name, key] of Object.entries(filesystem) as [keyof typeof filesystem, (typeof filesystem)[keyof typeof filesystem]][]) {
    new client.Gauge({
      name: `hxe_host_filesystem_${name}_bytes`, help: `Filesystem ${name === 'avail' ? 'space available to non-root users' : name === 'free' ? 'free space' : 'size'} in bytes.`, labelNames: fsLabels, registers,
      collect() {
        this.reset();
        for (const f of latest()?.filesystems ?? []) this.set({ device: f.device, fstype: f.fstype, mountpoint: f.mountpoint }, f[key]);
      },
    });
  }
  for (const direction of ['receive', 'transmit'] as const) {
    new client.Counter({
      name: `hxe_host_network_${direction}_bytes_total`, help: `Network device statistic ${direction}_bytes.`, labelNames: ['device'], registers,
      collect() {
        this.reset();
        for (const n of latest()?.network ?? []) this.inc({ device: n.device }, direction === 'receive' ? n.receiveBytes : n.transmitBytes);
      },
    });
  }
}

/** `MemAvailable` → `mem_available`. */
export function snakeCase(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}
