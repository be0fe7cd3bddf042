/**
 * CPU time and RSS of many processes in one batched pidusage call.
 */
import pidusage from 'pidusage';
import type { GroupMember } from './process-groups.js';

/** What pidusage tells of one process. */
export interface ProcessUsage {
  /** User + system CPU time, ms. */
  ctimeMs: number;
  /** RSS, bytes. */
  memoryBytes: number;
  /** Time since the process started, ms. */
  elapsedMs: number;
}

/** Reads the usage of live processes; gone ones are absent from the result. Never rejects. */
export type UsageReader = (members: GroupMember[]) => Promise<Map<number, ProcessUsage>>;

/**
 * Creates a reader that asks pidusage about every member in ONE call.
 *
 * pidusage keeps, per pid, an open fd on /proc/PID/stat for `historyMs`
 * after the pid was last asked for (that saves an open per pid per tick:
 * about half its cost). The fd belongs to one process: once it died, a
 * REUSED pid would read as gone for as long as it is asked for (ESRCH on the
 * old fd, and each ask keeps the entry alive). So a pid seen with another
 * start time than when it was last asked for is left out until pidusage has
 * dropped the old entry (its invalidator runs every historyMs / 2).
 * `historyMs` should exceed the sampling interval, and the sampler should
 * be the process's only pidusage user (the history is global to pidusage).
 */
export function createUsageReader(historyMs: number): UsageReader {
  const asked = new Map<number, { startTime: number; at: number }>();
  return async (members) => {
    const now = Date.now();
    const pids = members.filter((member) => askable(asked, member, now, historyMs)).map((m) => m.pid);
    for (const [pid, entry] of asked) if (now - entry.at > 2 * historyMs) asked.delete(pid);
    return readUsage(pids, historyMs);
  };
}

/** True if pidusage holds no stale entry for this pid; records that it is asked for now. */
function askable(asked: Map<number, { startTime: number; at: number }>, member: GroupMember, now: number, historyMs: number): boolean {
  const before = asked.get(member.pid);
  if (before && before.startTime !== member.startTime && now - before.at <= 1.5 * historyMs + 1000) return false;
  asked.set(member.pid, { startTime: member.startTime, at: now });
  return true;
}

/**
 * Reads every pid in ONE pidusage call, keeping its history `historyMs`.
 * Pids that are gone are absent; never rejects (pidusage rejects when its
 * only pid is gone, and on platforms it does not support).
 */
export async function readUsage(pids: number[], historyMs: number): Promise<Map<number, ProcessUsage>> {
  const usage = new Map<number, ProcessUsage>();
  if (pids.length === 0) return usage;
  let stats: Record<string, pidusage.Status | null | undefined>;
  try {
    stats = await pidusage(pids, { maxage: historyMs });
  } catch {
    return usage;
  }
  for (const pid of pids) {
    const stat = stats[pid];
    if (stat) usage.set(pid, { ctimeMs: stat.ctime, memoryBytes: stat.memory, elapsedMs: stat.elapsed });
  }
  return usage;
}
