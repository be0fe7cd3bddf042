/**
 * Pure arithmetic that turns per-process readings into one instance sample.
 */
import type { GroupMember } from './process-groups.js';
import type { InstanceSample, SampleTarget } from './sample.js';
import type { ProcessUsage } from './usage.js';

/** What an instance's next sample needs from its previous one. */
export interface CpuBaseline {
  /** The group leader this baseline belongs to (a new pid starts over). */
  pid: number;
  at: number;
  /** CPU ms of each member at `at`, keyed by `pid:startTime` (a reused pid is another process). */
  ctimeMs: Map<string, number>;
}

/** A member with its reading. */
export interface MeasuredMember extends GroupMember, ProcessUsage {}

/** The sample and the baseline for the next one. */
export interface Aggregated {
  sample: InstanceSample;
  baseline: CpuBaseline;
}

/**
 * Sums the members of one group. CPU is the CPU time the members used since
 * `previous.at`, over that wall time: a member seen before counts its
 * increase; a member not seen before counts its CPU time scaled by the part
 * of its life inside the window (all of it if it started within the window;
 * for the first sample of a pid, every member's lifetime average).
 * `defaultWindowMs` is the window when there is no usable previous sample.
 * Returns null when no member could be measured.
 */
export function aggregateGroup(
  target: SampleTarget,
  members: MeasuredMember[],
  previous: CpuBaseline | undefined,
  at: number,
  defaultWindowMs: number,
): Aggregated | null {
  if (members.length === 0) return null;
  const baseline = previous?.pid === target.pid ? previous : undefined;
  const windowMs = Math.max(1, baseline ? at - baseline.at : defaultWindowMs);
  const ctimeMs = new Map<string, number>();
  let usedMs = 0;
  let totalMs = 0;
  let memoryBytes = 0;
  for (const member of members) {
    const key = `${member.pid}:${member.startTime}`;
    ctimeMs.set(key, member.ctimeMs);
    usedMs += cpuInWindow(member, baseline?.ctimeMs.get(key), windowMs);
    totalMs += member.ctimeMs;
    memoryBytes += member.memoryBytes;
  }
  const sample: InstanceSample = {
    instance: target.instance,
    pid: target.pid,
    at,
    cpuPercent: (usedMs / windowMs) * 100,
    cpuSeconds: totalMs / 1000,
    memoryBytes,
    processes: members.length,
  };
  return { sample, baseline: { pid: target.pid, at, ctimeMs } };
}

function cpuInWindow(member: MeasuredMember, before: number | undefined, windowMs: number): number {
  if (before !== undefined) return Math.max(0, member.ctimeMs - before);
  return member.ctimeMs * Math.min(1, windowMs / Math.max(1, member.elapsedMs));
}
