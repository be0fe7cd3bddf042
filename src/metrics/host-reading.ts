/**
 * One reading of the host, from /proc and statfs: CPU time per mode, memory
 * (meminfo), load, filesystems and network counters. The parsers are pure
 * (text in, numbers out); readHost does the I/O.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';

/** /proc/stat's unit: USER_HZ, 100 on every Linux architecture Node runs on. */
const USER_HZ = 100;
/** The columns of /proc/stat's `cpu` line, named as node_exporter's `mode` label. */
export const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;
export type CpuMode = (typeof CPU_MODES)[number];
/** The meminfo fields exported, named as in /proc/meminfo (and node_exporter). */
export const MEMINFO_FIELDS = ['MemTotal', 'MemFree', 'MemAvailable', 'Buffers', 'Cached', 'SwapTotal', 'SwapFree'] as const;
export type MeminfoField = (typeof MEMINFO_FIELDS)[number];

// node_exporter's defaults: pseudo filesystems and system mount points say nothing of disk space.
const IGNORED_FS_TYPES = /^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$/;
const IGNORED_MOUNT_POINTS = /^\/(dev|proc|run\/credentials\/.+|sys|var\/lib\/docker\/.+|var\/lib\/containers\/storage\/.+)($|\/)/;

export interface FilesystemReading {
  mountpoint: string;
  device: string;
  fstype: string;
  sizeBytes: number;
  freeBytes: number;
  /** Free to unprivileged users (df's "Avail"). */
  availBytes: number;
}

export interface NetworkReading {
  device: string;
  receiveBytes: number;
  transmitBytes: number;
}

/** Counters since boot and gauges now. */
export interface HostReading {
  at: number;
  cpus: number;
  /** Seconds spent in each mode by all CPUs together. */
  cpuSeconds: Record<CpuMode, number>;
  /** Bytes. */
  meminfo: Record<MeminfoField, number>;
  load: { load1: number; load5: number; load15: number };
  filesystems: FilesystemReading[];
  network: NetworkReading[];
}

/** The aggregate `cpu` line of /proc/stat, in seconds per mode. */
export function parseProcStat(text: string): Record<CpuMode, number> {
  const line = text.split('\n').find((l) => l.startsWith('cpu ')) ?? '';
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  return Object.fromEntries(CPU_MODES.map((mode, i) => [mode, (fields[i] || 0) / USER_HZ])) as Record<CpuMode, number>;
}

/** The exported meminfo fields, in bytes (0 when absent). */
export function parseMeminfo(text: string): Record<MeminfoField, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\w+):\s+(\d+)(?:\s+kB)?/.exec(line);
    if (match) values.set(match[1], Number(match[2]) * (line.includes('kB') ? 1024 : 1));
  }
  return Object.fromEntries(MEMINFO_FIELDS.map((field) => [field, values.get(field) ?? 0])) as Record<MeminfoField, number>;
}

export function parseLoadavg(text: string): HostReading['load'] {
  const [load1, load5, load15] = text.trim().split(/\s+/).map(Number);
  return { load1: load1 || 0, load5: load5 || 0, load15: load15 || 0 };
}

/** Bytes received and sent per interface, from /proc/net/dev. */
export function parseNetDev(text: string): NetworkReading[] {
  return text.split('\n').slice(2).flatMap((line) => {
    const match = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!match) return [];
    const fields = match[2].trim().split(/\s+/).map(Number);
    return [{ device: match[1], receiveBytes: fields[0] || 0, transmitBytes: fields[8] || 0 }];
  });
}

/** The mounts that hold disk space, once per mount point (the last mount over a point is the visible one). */
export function parseMounts(text: string): { device: string; mountpoint: string; fstype: string }[] {
  const byPoint = new Map<string, { device: string; mountpoint: string; fstype: string }>();
  for (const line of text.split('\n')) {
    const [device, rawPoint, fstype] = line.split(' ');
    if (!device || !rawPoint || !fstype) continue;
    // /proc/mounts escapes space, tab, newline and backslash as octal.
    const mountpoint = rawPoint.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
    // A container's root is an overlay: its space is the host's disk as the container sees it.
    if ((IGNORED_FS_TYPES.test(fstype) && mountpoint !== '/') || IGNORED_MOUNT_POINTS.test(mountpoint)) continue;
    byPoint.delete(mountpoint);
    byPoint.set(mountpoint, { device, mountpoint, fstype });
  }
  return [...byPoint.values()];
}

/** Reads the host now; a filesystem that cannot be read (a hung NFS, no permission) is left out. */
export async function readHost(): Promise<HostReading> {
  const [stat, meminfo, loadavg, netdev, mounts] = await Promise.all(
    ['/proc/stat', '/proc/meminfo', '/proc/loadavg', '/proc/net/dev', '/proc/self/mounts'].map((file) => fs.readFile(file, 'utf8').catch(() => '')),
  );
  const filesystems = await Promise.all(parseMounts(mounts).map(async (mount) => {
    try {
      const s = await fs.statfs(mount.mountpoint);
      return [{ ...mount, sizeBytes: s.blocks * s.bsize, freeBytes: s.bfree * s.bsize, availBytes: s.bavail * s.bsize }];
    } catch {
      return [];
    }
  }));
  return {
    at: Date.now(),
    cpus: os.availableParallelism(),
    cpuSeconds: parseProcStat(stat),
    meminfo: parseMeminfo(meminfo),
    load: parseLoadavg(loadavg),
    filesystems: filesystems.flat().filter((f) => f.sizeBytes > 0),
    network: parseNetDev(netdev),
  };
}
