import type { Logger } from 'pino';
import { HxeError, ManifestError } from '../core/errors.js';
import type { HomePaths } from '../core/home.js';
import { byName } from '../core/compare.js';
import { controlInstance, controlService, indexOfInstance, instancesOf, type ControlAction } from '../core/instances.js';
import type { DesiredService, InstanceView, ServiceRecord, ServiceSpec } from '../core/types.js';
import type {
  AgentStatus, ApplyRequest, ApplyResponse, DeleteRequest, DescribeResponse,
} from './protocol.js';
import { checkAppliedSet } from '../manifest/applied-set.js';
import { planApply, planHasChanges, type ApplyPlan } from '../reconcile/apply-plan.js';
import type { ReconcileLoop } from '../core/ports.js';
import type { Store } from '../store/store.js';
import { belongsTo, EventLog } from '../events/event-log.js';
import { instanceViews } from './views.js';
import { VERSION } from '../core/version.js';
import type { InstanceSample } from '../metrics/sample.js';

export interface AgentDeps {
  /** The agent's name, from its configuration. */
  name?: string;
  paths: HomePaths;
  store: Store;
  events: EventLog;
  logger: Logger;
  reconcileLoop?: ReconcileLoop;
  /** Stamps `secret:NAME` references with the secrets' versions (secrets/refs.ts) before any plan. */
  stampSecrets?: (services: DesiredService[]) => DesiredService[];
}

/**
 * The agent's operations, as the API exposes them. Every change goes
 * through the store (the agent is its only writer); the reconcile loop
 * reacts to the store, so these methods never touch a process.
 */
export class Agent {
  readonly startedAt = new Date().toISOString();
  private serverUrl: string | null = null;
  private metrics: { latest(instance: string): InstanceSample | undefined } | null = null;
  /** Serialises store changes so that concurrent applies never interleave. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: AgentDeps) {}

  get events(): EventLog {
    return this.deps.events;
  }

  /** The sampler whose last sample `list` shows with each instance. */
  useMetrics(metrics: { latest(instance: string): InstanceSample | undefined }): void {
    this.metrics = metrics;
  }

  private configStatus: (() => AgentStatus['config']) | null = null;

  /** What `agent status` says of the configuration files (reload.ts). */
  useConfigStatus(status: () => AgentStatus['config']): void {
    this.configStatus = status;
  }

  /** Where the TCP API listens, when the configuration asks for one. */
  setServerUrl(url: string): void {
    this.serverUrl = url || null;
  }

  status(): AgentStatus {
    const records = this.deps.store.list();
    return {
      name: this.deps.name ?? '',
      server: this.serverUrl,
      pid: process.pid,
      version: VERSION,
      home: this.deps.paths.home,
      startedAt: this.startedAt,
      services: records.length,
      instances: records.reduce((sum, record) => sum + instancesOf(record).length, 0),
      revision: this.deps.store.revision,
      setAside: this.deps.store.listSetAside(),
      ...(this.configStatus ? { config: this.configStatus() } : {}),
    };
  }

  list(names: string[] = []): InstanceView[] {
    const records = names.length > 0 ? this.select(names) : this.deps.store.list();
    return instanceViews(records, this.deps.store.listStatuses(), (instance) => this.metrics?.latest(instance));
  }

  describe(name: string): DescribeResponse {
    const instances = this.list([name]).filter((v) => v.name === name || v.metadata.service === name);
    return { instances, events: this.deps.events.list(name, 50) };
  }

  /** The spec stored under `name` (checked when stored): the API skips checking an equal one again. */
  storedSpec(name: string): ServiceSpec | undefined {
    return this.deps.store.get(name)?.spec;
  }

  /** What an apply would change (`diff`, `apply --dry-run`). */
  plan(request: ApplyRequest): ApplyResponse {
    return this.respond(this.planFor(request), false);
  }

  /** Carries out the very plan `plan` shows, as one atomic store commit. */
  apply(request: ApplyRequest): Promise<ApplyResponse> {
    return this.serialise(async () => {
      this.checkIndex(request.checkIndex);
      const plan = this.planFor(request);
      if (request.dryRun || (plan.put.length === 0 && plan.delete.length === 0)) return this.respond(plan, false);
      await this.deps.store.commit({ put: plan.put, delete: plan.delete });
      this.recordApply(request, plan);
      return this.respond(plan, true);
    });
  }

  /** Deletes services; a name set aside by the store's checks is forgotten too. */
  remove(request: DeleteRequest): Promise<string[]> {
    return this.serialise(async () => {
      if (!request.all) this.refuseInstances(request.names ?? []);
      const store = this.deps.store;
      const aside = store.listSetAside().map((entry) => entry.name).filter((name) => request.names?.includes(name) || (request.all && !name.startsWith('sync ')));
      const named = (request.names ?? []).filter((name) => !aside.includes(name) || store.get(name));
      const names = request.all ? store.list().map((r) => r.metadata.name) : this.select(named).map((r) => r.metadata.name);
      if (names.length === 0 && aside.length === 0) return [];
      await store.delete([...new Set([...names, ...aside])]);
      for (const name of names) this.deps.events.record({ service: name, type: 'Deleted', message: 'deleted' });
      for (const name of aside) this.deps.events.record({ service: name, type: 'SetAsideDeleted', message: 'set-aside record forgotten' });
      this.deps.logger.info({ action: 'delete', services: names, setAside: aside }, 'services deleted');
      return [...new Set([...names, ...aside])];
    });
  }

  /** `delete web-1` would delete all of web: an instance is removed by lowering `instances`. */
  private refuseInstances(names: string[]): void {
    for (const name of names) {
      const owner = this.deps.store.get(name) ? null : this.ownerOf(name);
      if (!owner) continue;
      const service = owner.record.metadata.name;
      throw new HxeError('BAD_USAGE',
        `${name} is an instance of service ${service}, not a service: lower ${service}'s \`instances\` to remove it, or delete ${service}`);
    }
  }

  /** `hxe restart` (or a watched file change): asks the reconcile loop for a rolling restart. */
  restart(names: string[], reason = 'restart requested'): Promise<string[]> {
    return this.control(names, 'restart', reason);
  }

  /**
   * `hxe stop|start|restart`: a stop or start is kept (the record's
   * `desiredState`, or the instance's own control) until the next of these.
   * A service name acts on all its instances; an instance name (`web-1`) on
   * that instance alone.
   */
  control(names: string[], action: ControlAction, reason = `${action} requested`): Promise<string[]> {
    const event = { stop: 'StopRequested', start: 'StartRequested', restart: 'RestartRequested' }[action];
    return this.serialise(async () => {
      const changed = new Map<string, ServiceRecord>();
      for (const target of this.targets(names)) {
        const record = changed.get(target.record.metadata.name) ?? target.record;
        changed.set(record.metadata.name, target.index === null ? controlService(record, action) : controlInstance(record, target.index, action));
      }
      await this.deps.store.put([...changed.values()]);
      for (const name of names) this.deps.events.record({ service: name, type: event, message: reason });
      return names;
    });
  }

  /** Each name as a service (index null) or one instance of a service; unknown names are an error. */
  private targets(names: string[]): { record: ServiceRecord; index: number | null }[] {
    return names.map((name) => {
      const record = this.deps.store.get(name);
      if (record) return { record, index: null };
      const owner = this.ownerOf(name);
      if (!owner) throw new HxeError('NOT_FOUND', `no such service or instance: ${name}`);
      return owner;
    });
  }

  /** The service whose instance `name` is (`web-1` → web, index 1), if any. */
  private ownerOf(name: string): { record: ServiceRecord; index: number } | null {
    const match = /^(.+)-(\d+)$/.exec(name);
    const record = match ? this.deps.store.get(match[1]) : undefined;
    const index = record ? indexOfInstance(record, name) : null;
    return record && index !== null ? { record, index } : null;
  }

  async shutdown(options: { keepServices: boolean }): Promise<void> {
    await this.deps.reconcileLoop?.shutdown(options);
    await this.deps.store.flush();
  }

  /** The records named; a name may be a service or one of its instances. Unknown names are an error. */
  private select(names: string[]): ServiceRecord[] {
    // The common query names services exactly (`get web`, a poll of one service): no scan of the set.
    const exact = names.map((name) => this.deps.store.get(name));
    if (exact.every((record) => record !== undefined)) return [...new Set(exact)].sort((a, b) => byName(a!.metadata.name, b!.metadata.name)) as ServiceRecord[];
    const records = this.deps.store.list();
    const unknown = names.filter((name) => !records.some((r) => belongsTo(name, r.metadata.name)));
    if (unknown.length > 0) throw new HxeError('NOT_FOUND', `no such service: ${unknown.join(', ')}`);
    return records.filter((r) => names.some((name) => belongsTo(name, r.metadata.name)));
  }

  /** `apply --check-index N`: refused unless the store is still at the revision the diff was planned against. */
  private checkIndex(index: number | undefined): void {
    const { revision } = this.deps.store;
    if (index === undefined || index === revision) return;
    throw new HxeError('CONFLICT', `the store is at index ${revision}, not ${index}: it changed since that plan; nothing was applied (run diff again)`);
  }

  /** The plan of an apply; refused (ManifestError) when the store would then break the set's rules. */
  private planFor(given: ApplyRequest): ApplyPlan {
    const request = this.deps.stampSecrets ? { ...given, services: this.deps.stampSecrets(given.services) } : given;
    const current = this.deps.store.list();
    const plan = planApply(current, request.services, {
      source: request.source, prune: request.prune, now: new Date().toISOString(),
    });
    const replaced = new Set([...request.services.map((s) => s.name), ...plan.delete]);
    const issues = checkAppliedSet(current.filter((r) => !replaced.has(r.metadata.name)), request.services);
    if (issues.length > 0) throw new ManifestError(issues);
    return plan;
  }

  /** The plan without its store batch: the batch holds secret values. */
  private respond(plan: ApplyPlan, applied: boolean): ApplyResponse {
    return { plan: { source: plan.source, services: plan.services }, applied, revision: this.deps.store.revision };
  }

  private recordApply(request: ApplyRequest, plan: ApplyPlan): void {
    const changed = plan.services.filter((s) => s.kind !== 'unchanged');
    for (const service of changed) {
      const type = { create: 'Created', update: 'Updated', delete: 'Deleted', unchanged: 'Unchanged' }[service.kind];
      this.deps.events.record({
        service: service.name, type, generation: service.generation,
        message: `${type.toLowerCase()} by apply of ${request.source} (generation ${service.generation})`,
      });
    }
    if (planHasChanges(plan)) {
      this.deps.logger.info(
        { action: 'apply', source: request.source, services: changed.map((s) => `${s.kind}:${s.name}`) },
        'applied',
      );
    }
  }

  private serialise<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
