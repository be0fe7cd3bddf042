/**
 * What a starting agent does with the processes an earlier agent of its
 * home left running: pure decisions over what the store recorded and what
 * the runtime found by marker (ProcessRuntime.findMarked), so that the
 * rules are tested without processes.
 */
import type { MarkedProcess } from '../core/ports.js';
import { specFingerprint } from '../core/spec-fingerprint.js';
import type { InstanceStatus, ServiceRecord } from '../core/types.js';

export interface AdoptionInput {
  /** Every instance of the stored services, with the recorded pid it adopted (null: none recorded, or not alive). */
  instances: ReadonlyMap<string, number | null>;
  marked: readonly MarkedProcess[];
  /** Pids already being stopped otherwise. */
  stopping?: ReadonlySet<number>;
  /** The live recorded process of each instance whose service was deleted (name → pid). */
  deleted?: ReadonlyMap<string, number>;
}

/** Why a found process is stopped: a second copy of a known instance, or the process of an instance the store does not know. */
export type OrphanReason = 'duplicate' | 'unknown';

export interface AdoptionPlan {
  /** Instances without a live recorded process: the found process each takes over. */
  adopt: Map<string, MarkedProcess>;
  /** Main processes that nobody would supervise: to be stopped, with their process group. */
  stop: { process: MarkedProcess; why: OrphanReason }[];
  /** The recorded processes of deleted services: to be stopped (found by marker too, they are stopped once). */
  stopDeleted: { instance: string; pid: number }[];
}

/**
 * The main process of each spawn: of the processes sharing its spawn id
 * (its descendants inherit the marker), the earliest started, if it leads
 * its own process group as a spawned service does. A spawn whose main
 * process has exited has none: what is left of it is not a service.
 */
export function mainProcesses(marked: readonly MarkedProcess[]): MarkedProcess[] {
  const earliest = new Map<string, MarkedProcess>();
  for (const process of marked) {
    const seen = earliest.get(process.spawnId);
    // Start times count 10 ms ticks: within one tick, a parent comes before its child.
    if (!seen || process.startTime < seen.startTime || (process.startTime === seen.startTime && seen.ppid === process.pid)) {
      earliest.set(process.spawnId, process);
    }
  }
  return [...earliest.values()].filter((process) => process.pid === process.pgid);
}

/**
 * Decides, for each main process found: an instance whose recorded process
 * is alive keeps it, and any other main process of it is a duplicate; an
 * instance without one adopts the latest started of its main processes
 * (the most recent spawn) and the older ones are duplicates; a process of
 * an instance the store does not know is stopped; so is the recorded
 * process of a deleted service.
 */
export function planAdoption(input: AdoptionInput): AdoptionPlan {
  const deleted = [...(input.deleted ?? [])].map(([instance, pid]) => ({ instance, pid }));
  const plan: AdoptionPlan = { adopt: new Map(), stop: [], stopDeleted: deleted };
  const stopping = new Set([...(input.stopping ?? []), ...deleted.map((d) => d.pid)]);
  const candidates = new Map<string, MarkedProcess[]>();
  for (const main of mainProcesses(input.marked)) {
    if (stopping.has(main.pid)) continue;
    const recorded = input.instances.get(main.instance);
    if (recorded === undefined) plan.stop.push({ process: main, why: 'unknown' });
    else if (recorded === main.pid) continue;
    else if (recorded !== null) plan.stop.push({ process: main, why: 'duplicate' });
    else candidates.set(main.instance, [...(candidates.get(main.instance) ?? []), main]);
  }
  for (const [instance, mains] of candidates) {
    const [latest, ...older] = mains.sort((a, b) => b.startTime - a.startTime || b.pid - a.pid);
    plan.adopt.set(instance, latest);
    for (const process of older) plan.stop.push({ process, why: 'duplicate' });
  }
  return plan;
}

/**
 * The status an instance resumes with when it adopts a found process: its
 * identity, and the record's generation if the process runs the record's
 * spec (else -1: the instance restarts it into the current spec).
 */
export function adoptedStatus(found: MarkedProcess, record: ServiceRecord, previous: InstanceStatus | undefined, now: string): InstanceStatus {
  return {
    state: 'running', ready: false, pid: found.pid, pidStartTime: found.startTime,
    pidBootId: found.identity.bootId, pidCommand: found.identity.command,
    restarts: previous?.restarts ?? 0, exitCode: null, signal: null, startedAt: found.startedAt,
    observedGeneration: found.spec === specFingerprint(record.spec) ? record.metadata.generation : -1,
    message: '', lastProbe: null, updatedAt: now,
  };
}

/** What the log and the `OrphanStopped` event say when a found process is stopped. */
export function orphanMessage(found: MarkedProcess, why: OrphanReason): string {
  return why === 'duplicate'
    ? `stopping process ${found.pid}: a second copy of ${found.instance}, started by an earlier agent`
    : `stopping process ${found.pid} of ${found.instance}, started by an earlier agent: no such instance in the store`;
}
