import type { Logger } from 'pino';
import { errorMessage } from '../core/errors.js';
import type { EventLog } from '../events/event-log.js';
import { instancesOf, previousNameOf } from '../core/instances.js';
import type { MarkedProcess, ProcessIdentity, ProcessRuntime, Prober, ReconcileLoop } from '../core/ports.js';
import type { InstanceStatus, ServiceRecord } from '../core/types.js';
import type { Store } from '../store/store.js';
import { adoptedStatus, orphanMessage, planAdoption, type OrphanReason } from './adoption.js';
import { InstanceRunner } from './instance-runner.js';
import { planService, relatedServices, type Action, type World } from './plan.js';
import { ExitRouter, type RunnerHook } from './runner-hooks.js';
import { WorkQueue, type ReconcileOutcome } from './work-queue.js';

/** Every service is reconciled at least this often, repairing anything an event missed. */
export const RESYNC_INTERVAL_MS = 30_000;
const SHUTDOWN_POLL_MS = 20;

export interface ControllerDeps {
  store: Store;
  runtime: ProcessRuntime;
  prober: Prober;
  events: EventLog;
  logger: Logger;
  resyncIntervalMs?: number;
  /** Moves an instance's log files to its new name (a rename keeps the process and its logs). */
  moveLogs?: (from: string, to: string) => void;
}

/**
 * The reconcile loop. Triggers (store changes, state changes, process
 * exits, the resync timer) only enqueue service names; each pass reads the
 * store and the instances fresh, asks the pure planner what to do, and
 * carries the actions out by sending events to the instances' machines.
 */
export class Controller implements ReconcileLoop {
  private readonly instances = new Map<string, InstanceRunner>();
  /** Instances by service, so that a pass over one service never scans all of them. */
  private readonly byService = new Map<string, Map<string, InstanceRunner>>();
  /** Records and who depends on whom, rebuilt only when the store's revision moves. */
  private records = { revision: -1, byName: new Map<string, ServiceRecord>(), dependents: new Map<string, string[]>() };
  /** Moves when a service gains its first instance or loses its last (the keys of byService). */
  private servicesVersion = 0;
  /** Services deleted from the store whose instances still run, rebuilt only when the store or servicesVersion moves. */
  private unstored = { revision: -1, version: -1, names: [] as string[] };
  /** Each process's exit to its runner. */
  private readonly exits = new ExitRouter();
  /** A state change plans the instance's service and those related to it again. */
  private readonly trigger: RunnerHook<InstanceRunner> = {
    transition: (instance) => this.queue.addAll(relatedServices(instance.service, this.world())),
  };
  private readonly queue = new WorkQueue((name) => this.reconcile(name), {
    onError: (service, err, retryInMs) => this.deps.logger.error({ service, action: 'reconcile', err: errorMessage(err), retryInMs }, 'reconcile failed'),
  });
  private readonly cleanups: (() => void)[] = [];
  private stoppingAll = false;
  /** Stops of processes no instance supervises (adoptRunningInstances), awaited at shutdown. */
  private readonly orphanStops: Promise<void>[] = [];

  constructor(private readonly deps: ControllerDeps) {}

  async start(): Promise<void> {
    this.adoptRunningInstances();
    this.cleanups.push(this.deps.store.watch((change) => this.queue.addAll(change.names)));
    this.cleanups.push(this.exits.listen(this.deps.runtime));
    const resync = setInterval(() => this.queue.addAll(this.serviceNames()), this.deps.resyncIntervalMs ?? RESYNC_INTERVAL_MS);
    resync.unref();
    this.cleanups.push(() => clearInterval(resync));
    this.queue.addAll(this.serviceNames());
  }

  async shutdown({ keepServices }: { keepServices: boolean }): Promise<void> {
    await Promise.all(this.orphanStops);
    if (!keepServices) await this.stopEverything();
    this.queue.close();
    this.cleanups.forEach((cleanup) => cleanup());
    for (const instance of this.instances.values()) instance.detach();
    this.deps.runtime.close();
    await this.deps.store.flush();
  }

  /**
   * A failure the agent found (a memory limit): reported to the instance's
   * runner, and the planner's `fail` stops the process and handles its end
   * as a crash (counted, backoff, crashloop), as Nomad's
   * `Restart(ctx, event, failure=true)`. A user's restart is not this: it
   * goes through the record's restart nonce. False when the instance is
   * unknown, or `pid` is not its process up (already reported, stopping or
   * restarting, or a sample of an earlier process).
   */
  restartInstance(name: string, reason: string, pid: number): boolean {
    const instance = this.instances.get(name);
    if (!instance?.reportFailure(pid, reason)) return false;
    this.queue.add(instance.service);
    return true;
  }

  /**
   * One pass for one service: plan against fresh state, then act. Outcomes
   * (see ReconcileOutcome): `done`; `requeue` after the plan's
   * `requeueAfterMs`; a throw is logged and retried with backoff by the queue,
   * the other services unaffected.
   */
  private reconcile(name: string): ReconcileOutcome {
    const plan = planService(name, this.world());
    for (const action of plan.actions) this.execute(action);
    for (const instance of this.byService.get(name)?.values() ?? []) {
      instance.setWaiting({ message: plan.waiting[instance.name] ?? '', stopHeld: plan.stopHeld.includes(instance.name) });
    }
    if (plan.actions.length > 0) {
      this.deps.logger.debug({ service: name, actions: plan.actions.map((a) => `${a.type}:${a.instance}`) }, 'reconciled');
    }
    return plan.requeueAfterMs === undefined ? { type: 'done' } : { type: 'requeue', afterMs: plan.requeueAfterMs };
  }

  private execute(action: Action): void {
    if (action.type === 'create') {
      const record = this.deps.store.get(action.service) as ServiceRecord;
      this.add(new InstanceRunner({ ...this.instanceOptions(action.instance, action.service, action.index, record) }));
      this.queue.add(action.service);
      return;
    }
    const instance = this.instances.get(action.instance);
    if (!instance) return;
    if (action.type === 'rename') {
      this.rename(instance, action.to);
      return;
    }
    const record = this.deps.store.get(instance.service);
    switch (action.type) {
      case 'start': instance.start(record); break;
      case 'stop': instance.stop(); break;
      case 'fail': instance.fail(); break;
      case 'restart': if (record) instance.restart(record); break;
      case 'hold': if (record) instance.hold(record); break;
      case 'update': if (record) instance.update(record); break;
      case 'remove':
        instance.detach();
        this.instances.delete(action.instance);
        this.byService.get(instance.service)?.delete(action.instance);
        if (this.byService.get(instance.service)?.size === 0) {
          this.byService.delete(instance.service);
          this.servicesVersion += 1;
        }
        this.deps.store.setStatus(action.instance, null);
        break;
    }
  }

  private instanceOptions(name: string, service: string, index: number, record: ServiceRecord) {
    const hooks = [this.exits.hook, this.trigger];
    return {
      name, service, index, record, hooks,
      runtime: this.deps.runtime, prober: this.deps.prober, store: this.deps.store,
      events: this.deps.events, logger: this.deps.logger.child({ service: name }),
    };
  }

  private add(instance: InstanceRunner): void {
    this.instances.set(instance.name, instance);
    let siblings = this.byService.get(instance.service);
    if (!siblings) {
      siblings = new Map<string, InstanceRunner>();
      this.byService.set(instance.service, siblings);
      this.servicesVersion += 1;
    }
    siblings.set(instance.name, instance);
    instance.attach();
  }

  /** The same process under a new name: indexes, status and logs follow; the next pass plans it anew. */
  private rename(instance: InstanceRunner, to: string): void {
    const from = instance.name;
    const siblings = this.byService.get(instance.service);
    this.instances.delete(from);
    siblings?.delete(from);
    instance.rename(to);
    this.instances.set(to, instance);
    siblings?.set(to, instance);
    this.deps.moveLogs?.(from, to);
    this.queue.add(instance.service);
  }

  /**
   * After an agent restart: every instance the store says is alive, and
   * really is (same boot, pid and start time), is adopted as it runs; one
   * whose process is not recorded (the agent died before writing it)
   * adopts the process found by its spawn marker; a stale one starts anew.
   * Processes of services that were deleted, and second copies, are stopped.
   */
  private adoptRunningInstances(): void {
    // Renames first: the status under an instance's previous name is not a deleted service's.
    for (const record of this.deps.store.list()) {
      const first = instancesOf(record)[0];
      if (first !== undefined && !this.deps.store.getStatus(first)) this.takeOverPreviousName(record, first, 0);
    }
    const deleted = this.forgetDeletedServices();
    const found: { record: ServiceRecord; name: string; index: number; status?: InstanceStatus; alive: boolean }[] = [];
    for (const record of this.deps.store.list()) {
      instancesOf(record).forEach((name, index) => {
        const status = this.deps.store.getStatus(name);
        const alive = status?.pid != null && this.deps.runtime.adopt(status.pid, identityOf(status));
        found.push({ record, name, index, status, alive });
      });
    }
    const instances = new Map(found.map(({ name, status, alive }) => [name, alive ? status!.pid : null]));
    const marked = (this.deps.runtime.findMarked?.() ?? []).map((process) => renamedInstance(process, found));
    const plan = planAdoption({ instances, marked, deleted });
    for (const { instance, pid } of plan.stopDeleted) this.stopProcessOfDeletedService(instance, pid);
    for (const { record, name, index, status, alive } of found) {
      const marked = plan.adopt.get(name);
      const adopted = marked && this.deps.runtime.adopt(marked.pid, marked.identity) ? adoptedStatus(marked, record, status, new Date().toISOString()) : null;
      if (adopted) this.deps.logger.info({ service: name, pid: adopted.pid }, 'adopting a running process whose pid had not been recorded');
      const options = this.instanceOptions(name, record.metadata.name, index, record);
      this.add(new InstanceRunner({ ...options, restored: adopted ?? status ?? null, adopt: adopted !== null || alive }));
    }
    for (const { process, why } of plan.stop) this.stopOrphan(process, why);
  }

  /** Forgets the statuses of deleted services' instances; returns their recorded live processes (name → pid), watched. */
  private forgetDeletedServices(): Map<string, number> {
    const deleted = new Map<string, number>();
    const known = new Set(this.deps.store.list().flatMap((record) => instancesOf(record)));
    for (const [name, status] of Object.entries(this.deps.store.listStatuses())) {
      if (known.has(name)) continue;
      if (status.pid != null && this.deps.runtime.adopt(status.pid, identityOf(status))) deleted.set(name, status.pid);
      this.deps.store.setStatus(name, null);
    }
    return deleted;
  }

  /** Stops the recorded process of a deleted service (planAdoption's `stopDeleted`). */
  private stopProcessOfDeletedService(name: string, pid: number): void {
    this.deps.logger.warn({ service: name, pid }, 'stopping the process of a deleted service');
    this.orphanStops.push(this.deps.runtime.stop(pid, 'SIGTERM', 10_000).catch(() => undefined));
  }

  /** Stops a process found by its marker that no instance will supervise, with its group; says so in the log and the events. */
  private stopOrphan(found: MarkedProcess, why: OrphanReason): void {
    const spec = this.deps.store.get(this.instances.get(found.instance)?.service ?? '')?.spec;
    const message = orphanMessage(found, why);
    this.deps.logger.warn({ service: found.instance, pid: found.pid, why }, message);
    this.deps.events.record({ service: found.instance, type: 'OrphanStopped', message });
    this.orphanStops.push(this.deps.runtime.stop(found.pid, spec?.stop_signal ?? 'SIGTERM', spec?.stop_timeout ?? 10_000).catch((err: Error) =>
      this.deps.logger.warn({ service: found.instance, pid: found.pid, err: err.message }, 'cannot stop the process')));
  }

  /** An agent that died between storing a new `instances` and renaming index 0: the rename, done now. */
  private takeOverPreviousName(record: ServiceRecord, name: string, index: number): InstanceStatus | undefined {
    const previous = previousNameOf(record.metadata.name, index, record.spec.instances);
    const status = previous ? this.deps.store.getStatus(previous) : undefined;
    if (!previous || !status) return undefined;
    this.deps.store.setStatus(name, status);
    this.deps.store.setStatus(previous, null);
    this.deps.moveLogs?.(previous, name);
    return status;
  }

  /** Stops every instance, dependents before their dependencies, and waits until all are gone. */
  private async stopEverything(): Promise<void> {
    this.stoppingAll = true;
    this.queue.addAll(this.serviceNames());
    while (this.instances.size > 0) {
      await new Promise((resolve) => setTimeout(resolve, SHUTDOWN_POLL_MS));
      this.queue.addAll([...this.byService.keys()]);
    }
  }

  /** The planner's view: O(1) lookups over indexes, no copy of the world per pass. */
  private world(): World {
    const records = this.currentRecords();
    return {
      record: (name) => records.byName.get(name),
      instance: (name) => this.instances.get(name)?.observed(),
      instancesOf: (service) => [...(this.byService.get(service)?.values() ?? [])].map((i) => i.observed()).sort((a, b) => a.index - b.index),
      dependentsOf: (service) => this.dependentsOf(service, records),
      stoppingAll: this.stoppingAll,
    };
  }

  private currentRecords() {
    if (this.records.revision === this.deps.store.revision) return this.records;
    const byName = new Map<string, ServiceRecord>();
    const dependents = new Map<string, string[]>();
    for (const record of this.deps.store.list()) {
      byName.set(record.metadata.name, record);
      for (const dependency of record.spec.depends_on) dependents.set(dependency, [...(dependents.get(dependency) ?? []), record.metadata.name]);
    }
    this.records = { revision: this.deps.store.revision, byName, dependents };
    return this.records;
  }

  /** Stored dependents, plus services deleted from the store whose instances still run a spec that depends on `service`. */
  private dependentsOf(service: string, records: Controller['records']): string[] {
    const stored = records.dependents.get(service) ?? [];
    const unstored = this.unstoredServices(records);
    if (unstored.length === 0) return stored;
    const dependents = new Set(stored);
    for (const name of unstored) {
      for (const instance of this.byService.get(name)?.values() ?? []) if (instance.observed().spec.depends_on.includes(service)) dependents.add(name);
    }
    return [...dependents];
  }

  /** Services with instances but no record (deleted, still stopping): a pass must not scan every service to find them. */
  private unstoredServices(records: Controller['records']): string[] {
    if (this.unstored.revision !== records.revision || this.unstored.version !== this.servicesVersion) {
      const names = [...this.byService.keys()].filter((name) => !records.byName.has(name));
      this.unstored = { revision: records.revision, version: this.servicesVersion, names };
    }
    return this.unstored.names;
  }

  private serviceNames(): string[] {
    const names = new Set(this.currentRecords().byName.keys());
    for (const service of this.byService.keys()) names.add(service);
    return [...names];
  }
}

/**
 * A process found by its marker, under its instance's current name: index 0
 * is renamed when a service scales between 1 and more instances (`web` ↔
 * `web-0`) and keeps its process, whose marker holds the name it started under.
 */
function renamedInstance(process: MarkedProcess, found: { record: ServiceRecord; name: string; index: number }[]): MarkedProcess {
  if (found.some((f) => f.name === process.instance)) return process;
  const renamed = found.find((f) => f.index === 0 && previousNameOf(f.record.metadata.name, 0, f.record.spec.instances) === process.instance);
  return renamed ? { ...process, instance: renamed.name } : process;
}

/** What the store recorded to know an instance's process again. */
function identityOf(status: InstanceStatus): ProcessIdentity {
  return { startTime: status.pidStartTime, bootId: status.pidBootId ?? null, command: status.pidCommand ?? null };
}
