/**
 * Host samples: a reading (host-reading.ts) with the rates between it and
 * the one before (CPU %, network bytes per second), and a short history of
 * the figures the page draws.
 */
import { readHost, type CpuMode, type HostReading } from './host-reading.js';

/** A reading and what it says compared with the last one. */
export interface HostSample extends HostReading {
  /** Busy share of all CPUs since the last sample, 0-100; null for the first. */
  cpuPercent: number | null;
  /** 100 × (1 − MemAvailable / MemTotal). */
  memoryUsedPercent: number;
  filesystems: (HostReading['filesystems'][number] & { usedPercent: number })[];
  network: (HostReading['network'][number] & { receiveBytesPerSecond: number | null; transmitBytesPerSecond: number | null })[];
}

/** One point of the host's history. */
export interface HostPoint {
  at: number;
  cpuPercent: number | null;
  memoryUsedPercent: number;
  load1: number;
}

const IDLE_MODES: readonly CpuMode[] = ['idle', 'iowait'];

/** The sample of `reading` after `previous` (or the first one). Pure. */
export function toHostSample(reading: HostReading, previous: HostReading | null): HostSample {
  const seconds = previous ? (reading.at - previous.at) / 1000 : 0;
  const rate = (now: number, before: number | undefined) => (before === undefined || seconds <= 0 || now < before ? null : (now - before) / seconds);
  const { MemTotal, MemAvailable } = reading.meminfo;
  return {
    ...reading,
    cpuPercent: previous ? busyPercent(reading.cpuSeconds, previous.cpuSeconds) : null,
    memoryUsedPercent: MemTotal > 0 ? round(100 * (1 - MemAvailable / MemTotal)) : 0,
    // df's Use%: used over what users can have (used + avail).
    filesystems: reading.filesystems.map((f) => {
      const used = f.sizeBytes - f.freeBytes;
      return { ...f, usedPercent: used + f.availBytes > 0 ? round((100 * used) / (used + f.availBytes)) : 0 };
    }),
    network: reading.network.map((n) => {
      const before = previous?.network.find((p) => p.device === n.device);
      return { ...n, receiveBytesPerSecond: rate(n.receiveBytes, before?.receiveBytes), transmitBytesPerSecond: rate(n.transmitBytes, before?.transmitBytes) };
    }),
  };
}

function busyPercent(now: Record<CpuMode, number>, before: Record<CpuMode, number>): number | null {
  const modes = Object.keys(now) as CpuMode[];
  const total = modes.reduce((sum, mode) => sum + now[mode] - before[mode], 0);
  if (total <= 0) return null;
  const idle = IDLE_MODES.reduce((sum, mode) => sum + now[mode] - before[mode], 0);
  return round(100 * (1 - idle / total));
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Samples the host on demand (the metrics tick), one collection at a time. */
export class HostSampler {
  private previous: HostReading | null = null;
  private last: HostSample | null = null;
  private readonly points: HostPoint[] = [];
  private inFlight: Promise<HostSample> | null = null;

  constructor(private readonly retention: number, private readonly read: () => Promise<HostReading> = readHost) {}

  /** Reads the host; while a reading is in flight, returns that one. */
  collect(): Promise<HostSample> {
    this.inFlight ??= this.read().then((reading) => {
      const sample = toHostSample(reading, this.previous);
      this.previous = reading;
      this.last = sample;
      this.points.push({ at: sample.at, cpuPercent: sample.cpuPercent, memoryUsedPercent: sample.memoryUsedPercent, load1: sample.load.load1 });
      if (this.points.length > this.retention) this.points.splice(0, this.points.length - this.retention);
      return sample;
    }).finally(() => { this.inFlight = null; });
    return this.inFlight;
  }

  latest(): HostSample | null {
    return this.last;
  }

  history(): HostPoint[] {
    return [...this.points];
  }
}
