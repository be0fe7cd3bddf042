import {
  instancesOf, restartNonceOf, startNonceOf, wantsInstanceRunning, wantsRunning,
} from '../core/instances.js';
import { LIVE_STATES, type InstanceStatus, type LifecycleState, type ServiceRecord, type ServiceSpec } from '../core/types.js';
import { needsRestart } from '../core/restart-fields.js';

/**
 * What the planner reads of one instance: its runner's state and readiness
 * (those of the status it writes) and what the runner runs.
 */
export interface ObservedInstance extends Pick<InstanceStatus, 'state' | 'ready'> {
  name: string;
  service: string;
  index: number;
  /** The generation and spec the instance runs (or will run at its next start). */
  generation: number;
  spec: ServiceSpec;
  /** The restart and start nonces (restartNonceOf, startNonceOf) last honoured. */
  restartNonce: number;
  /** The process runs a spec the agent cannot know (adopted from an older generation): restart it. */
  unknownSpec?: boolean;
  /** The agent found its process failing (a memory limit): restart it as after a crash. */
  failureReported?: boolean;
  startNonce: number;
}

export type Action =
  | { type: 'create'; instance: string; service: string; index: number }
  | { type: 'start'; instance: string }
  | { type: 'stop'; instance: string }
  | { type: 'restart'; instance: string }
  /** A restart whose start must wait for dependencies: stop, then pending until a `start`. */
  | { type: 'hold'; instance: string }
  | { type: 'update'; instance: string }
  | { type: 'remove'; instance: string }
  /** Stop the process as failed (a failure the agent reported), restarted as after a crash. */
  | { type: 'fail'; instance: string }
  /** The same process under its new name (index 0 when scaling between 1 and more instances). */
  | { type: 'rename'; instance: string; to: string };

export interface ServicePlan {
  actions: Action[];
  /** Pending instances and what they wait for, shown as their status message. */
  waiting: Record<string, string>;
  /** Live instances whose stop waits for their dependents: their waiting message shows over their state's. */
  stopHeld: string[];
  /** Plan again after this long even without a trigger (none of today's plans needs it). */
  requeueAfterMs?: number;
}

/**
 * The world the planner reads: desired records and observed instances,
 * read-only. Lookups are by name so that a pass over one service costs
 * O(its instances and dependents), not O(all services).
 */
export interface World {
  record(name: string): ServiceRecord | undefined;
  instance(name: string): ObservedInstance | undefined;
  /** The observed instances of a service, by index. */
  instancesOf(service: string): ObservedInstance[];
  /** Services whose spec (stored, or still run by an instance) depends on `service`. */
  dependentsOf(service: string): string[];
  /** The agent is stopping with its services: everything is desired stopped. */
  stoppingAll: boolean;
}

/** A World over plain maps, scanning them (for tests and small worlds). */
export function worldOf(records: ReadonlyMap<string, ServiceRecord>, instances: ReadonlyMap<string, ObservedInstance>, stoppingAll = false): World {
  const all = () => [...instances.values()];
  return {
    record: (name) => records.get(name),
    instance: (name) => instances.get(name),
    instancesOf: (service) => all().filter((i) => i.service === service).sort((a, b) => a.index - b.index),
    dependentsOf: (service) => [...new Set([
      ...[...records.values()].filter((r) => r.spec.depends_on.includes(service)).map((r) => r.metadata.name),
      ...all().filter((i) => i.spec.depends_on.includes(service)).map((i) => i.service),
    ])].sort(),
    stoppingAll,
  };
}

const AT_REST: LifecycleState[] = ['pending', 'stopped', 'completed', 'failed'];

/**
 * What to do for one service so that observed moves toward desired. Pure
 * and synchronous: reads the world, returns actions. Outcomes:
 * - instances missing → create (then start once dependencies are ready);
 * - an instance that stays under a new name (index 0, scaling between 1 and more) → rename;
 * - desired stopped (the service, or one instance), deleted or scaled away → stop (dependents first),
 *   then remove the deleted;
 * - a spec change that needs a restart, or `hxe restart` → rolling restart, one instance at a time,
 *   each waiting until the others are ready; a restart while a dependency is not ready is a hold
 *   (stop, then pending until the dependencies are ready);
 * - a spec change that needs a restart of a failed, backoff or crashloop instance → a new attempt
 *   (a fresh start, through the same gate), as a new ReplicaSet would be;
 * - a spec change that does not → update in place;
 * - a failure the agent reported (a memory limit) → fail, unless the instance is acted on otherwise.
 * Every start (create, `hxe start`, boot, restart, new attempt) waits until every dependency is ready.
 */
export function planService(name: string, world: World): ServicePlan {
  const plan: ServicePlan = { actions: [], waiting: {}, stopHeld: [] };
  const record = world.record(name);
  const observed = world.instancesOf(name);
  const desiredNames = record && !world.stoppingAll ? instancesOf(record) : [];
  const renamed = planRenames(desiredNames, observed, world, plan);

  for (const instance of observed) {
    if (desiredNames.includes(instance.name) || renamed.has(instance.name)) continue;
    planRemoval(instance, world, plan);
  }
  // After a rename the controller plans the service again, under the new names.
  if (!record || world.stoppingAll || renamed.size > 0) return plan;

  desiredNames.forEach((instance, index) => {
    if (!world.instance(instance)) plan.actions.push({ type: 'create', instance, service: name, index });
  });
  const kept = observed.filter((i) => desiredNames.includes(i.name));
  const held = kept.filter((i) => !wantsInstanceRunning(record, i.index));
  for (const instance of held) planStop(instance, world, plan);
  if (!wantsRunning(record)) return plan;
  const unready = record.spec.depends_on.filter((dependency) => !isServiceReady(dependency, world));
  planUpdates(record, kept.filter((i) => !held.includes(i)), unready, plan);
  planStarts(record, desiredNames, unready, world, plan);
  for (const instance of kept) {
    if (instance.failureReported && !held.includes(instance) && !plan.actions.some((a) => a.instance === instance.name)) {
      plan.actions.push({ type: 'fail', instance: instance.name });
    }
  }
  return plan;
}

/**
 * An instance that stays but whose name changes (index 0: `web` ↔ `web-0`
 * when scaling between 1 and more) is renamed, never replaced: scaling
 * restarts no instance that stays. Returns the old names.
 */
function planRenames(desiredNames: string[], observed: ObservedInstance[], world: World, plan: ServicePlan): Set<string> {
  const renamed = new Set<string>();
  desiredNames.forEach((to, index) => {
    if (world.instance(to)) return;
    const from = observed.find((i) => i.index === index && !desiredNames.includes(i.name));
    if (!from) return;
    plan.actions.push({ type: 'rename', instance: from.name, to });
    renamed.add(from.name);
  });
  return renamed;
}

/** Instances no longer desired: stop (after their dependents), then forget. */
function planRemoval(instance: ObservedInstance, world: World, plan: ServicePlan): void {
  if (AT_REST.includes(instance.state)) plan.actions.push({ type: 'remove', instance: instance.name });
  else planStop(instance, world, plan);
}

/** Stops an instance once every live instance that depends on its service is stopping or gone. */
function planStop(instance: ObservedInstance, world: World, plan: ServicePlan): void {
  if (instance.state === 'stopped' || instance.state === 'stopping') return;
  const blockers = liveDependents(instance.service, world);
  if (blockers.length > 0 && LIVE_STATES.has(instance.state)) {
    plan.waiting[instance.name] = `stopping after ${blockers.join(', ')}`;
    plan.stopHeld.push(instance.name);
    return;
  }
  plan.actions.push({ type: 'stop', instance: instance.name });
}

/**
 * New generations and `hxe restart`: in place when no new process is
 * needed, else a rolling restart, held while a dependency is not ready.
 */
function planUpdates(record: ServiceRecord, kept: ObservedInstance[], unready: string[], plan: ServicePlan): void {
  const toRestart = kept.filter((instance) => {
    const restartAsked = instance.unknownSpec === true || instance.restartNonce !== restartNonceOf(record, instance.index);
    if (!restartAsked && instance.generation === record.metadata.generation) return false;
    const restart = startsAnew(instance, restartAsked, record);
    if (!restart) plan.actions.push({ type: 'update', instance: instance.name });
    return restart;
  });
  if (toRestart.length === 0) return;
  const restart = (instance: ObservedInstance): Action =>
    unready.length > 0 ? { type: 'hold', instance: instance.name } : { type: 'restart', instance: instance.name };
  const down = toRestart.filter((i) => !i.ready);
  if (down.length > 0) {
    // Already unavailable: restarting them costs no capacity.
    for (const instance of down) plan.actions.push(restart(instance));
    return;
  }
  const othersReady = kept.every((i) => i.ready || toRestart.includes(i));
  if (othersReady) plan.actions.push(restart(toRestart[0]));
  else for (const instance of toRestart) plan.waiting[instance.name] = 'rolling restart: waiting for the other instances to be ready';
}

/**
 * Whether a restart request or a new generation gives the instance a new
 * process (else the record is taken in place). Pending and stopped
 * instances only take it: planStarts starts them, through the gate. A
 * completed one restarts only when asked; a failed one, or one retrying in
 * backoff or crashloop, also for a spec that needs a new process: a new attempt.
 */
function startsAnew(instance: ObservedInstance, restartAsked: boolean, record: ServiceRecord): boolean {
  if (instance.state === 'pending' || instance.state === 'stopped') return false;
  if (restartAsked) return true;
  return instance.state !== 'completed' && needsRestart(instance.spec, record.spec);
}

/**
 * Pending and stopped instances start once every dependency is ready;
 * completed and failed ones only on `hxe start` (a new start nonce), or
 * through planUpdates (a restart, a new attempt).
 */
function planStarts(record: ServiceRecord, desiredNames: string[], unready: string[], world: World, plan: ServicePlan): void {
  for (const [index, instance] of desiredNames.entries()) {
    if (!wantsInstanceRunning(record, index)) continue;
    const observed = world.instance(instance);
    const startAsked = observed !== undefined && observed.startNonce !== startNonceOf(record, index);
    const ended = observed?.state === 'completed' || observed?.state === 'failed';
    const startable = !observed || observed.state === 'pending' || observed.state === 'stopped' || (ended && startAsked);
    if (!startable) {
      if (startAsked && !plan.actions.some((a) => a.instance === instance)) plan.actions.push({ type: 'update', instance });
      continue;
    }
    if (unready.length > 0) {
      plan.waiting[instance] = `waiting for ${unready.join(', ')}`;
      continue;
    }
    plan.actions.push({ type: 'start', instance });
  }
}

/** Every instance of the service is ready (a service with no instances never is). */
export function isServiceReady(service: string, world: World): boolean {
  const record = world.record(service);
  if (!record) return false;
  const names = instancesOf(record);
  return names.length > 0 && names.every((name) => world.instance(name)?.ready === true);
}

/**
 * Services that depend on `service`, are going down too and still have a live
 * instance: they stop first. Dependents that stay up do not hold a stop back.
 */
function liveDependents(service: string, world: World): string[] {
  const dependents = new Set<string>();
  for (const dependent of world.dependentsOf(service)) {
    for (const instance of world.instancesOf(dependent)) {
      if (!instance.spec.depends_on.includes(service) || !LIVE_STATES.has(instance.state)) continue;
      if (isLeaving(instance, world)) dependents.add(instance.service);
    }
  }
  return [...dependents].sort();
}

/** True when the instance is desired stopped or gone. */
function isLeaving(instance: ObservedInstance, world: World): boolean {
  const record = world.record(instance.service);
  if (!record || world.stoppingAll || !wantsInstanceRunning(record, instance.index)) return true;
  return instance.index >= record.spec.instances;
}

/** Services whose plans may change when `service` changes state: itself, its dependents and its dependencies. */
export function relatedServices(service: string, world: World): string[] {
  const related = new Set([service, ...world.dependentsOf(service)]);
  world.record(service)?.spec.depends_on.forEach((d) => related.add(d));
  for (const instance of world.instancesOf(service)) instance.spec.depends_on.forEach((d) => related.add(d));
  return [...related];
}
