/**
 * Deciding which instances use more memory than their `resources.memory_limit`
 * (PM2's max_memory_restart). Decisions only: restarting is the controller's.
 */
import type { InstanceSample } from './sample.js';

/** An instance whose process group's RSS is over its limit. */
export interface OverLimit {
  instance: string;
  /** The process measured: only it is restarted, never a successor started meanwhile. */
  pid: number;
  /** Its latest group RSS, bytes. */
  memoryBytes: number;
  limit: number;
}

/** An instance's memory limit in bytes, or null for none. */
export type MemoryLimits = (instance: string) => number | null;

/**
 * The instances whose last `graceSamples` samples of one process (same
 * pid) all exceed their limit. `samples` may hold several samples per
 * instance (histories, in any order) or one per instance (a tick, with the
 * default grace of 1). An instance with fewer such samples, no limit, or a
 * limit that is not a positive number is not flagged. Level-triggered: it
 * is flagged again at every call while over, so the caller must ignore an
 * instance it is already restarting.
 */
export function findOverLimit(samples: InstanceSample[], limits: MemoryLimits, graceSamples = 1): OverLimit[] {
  const grace = Math.max(1, Math.floor(graceSamples));
  const over: OverLimit[] = [];
  for (const [instance, own] of groupByInstance(samples)) {
    const limit = limits(instance);
    if (limit === null || !(limit > 0)) continue;
    const latest = own[own.length - 1];
    const recent = own.slice(-grace).filter((s) => s.pid === latest.pid && s.memoryBytes > limit);
    if (recent.length === grace) over.push({ instance, pid: latest.pid, memoryBytes: latest.memoryBytes, limit });
  }
  return over;
}

/** Samples per instance, oldest first. */
function groupByInstance(samples: InstanceSample[]): Map<string, InstanceSample[]> {
  const byInstance = new Map<string, InstanceSample[]>();
  for (const sample of [...samples].sort((a, b) => a.at - b.at)) {
    const own = byInstance.get(sample.instance) ?? [];
    own.push(sample);
    byInstance.set(sample.instance, own);
  }
  return byInstance;
}

export interface MemoryWatchdog {
  /**
   * Feeds one tick's samples; returns the instances over their limit for
   * `graceSamples` consecutive samples of the same pid. Level-triggered like
   * findOverLimit. An instance absent from a tick keeps its count.
   */
  check(samples: InstanceSample[]): OverLimit[];
  /** Forgets an instance's count (after a restart or delete; a new pid resets it anyway). */
  reset(instance: string): void;
}

/**
 * A watchdog that counts consecutive over-limit samples per instance, so
 * that a short spike (a GC that has not run yet, a burst) is tolerated for
 * `graceSamples - 1` ticks without keeping the samples themselves.
 */
export function createMemoryWatchdog(limits: MemoryLimits, graceSamples = 1): MemoryWatchdog {
  const grace = Math.max(1, Math.floor(graceSamples));
  const streaks = new Map<string, { pid: number; count: number }>();
  return {
    check(samples) {
      const over: OverLimit[] = [];
      for (const sample of samples) {
        const limit = limits(sample.instance);
        if (limit === null || !(limit > 0) || sample.memoryBytes <= limit) {
          streaks.delete(sample.instance);
          continue;
        }
        const streak = streaks.get(sample.instance);
        const count = streak?.pid === sample.pid ? streak.count + 1 : 1;
        streaks.set(sample.instance, { pid: sample.pid, count });
        if (count >= grace) over.push({ instance: sample.instance, pid: sample.pid, memoryBytes: sample.memoryBytes, limit });
      }
      return over;
    },
    reset: (instance) => void streaks.delete(instance),
  };
}
