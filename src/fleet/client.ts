/**
 * The CLI's fleet client: `--server nats://...` drives the cluster's KV
 * buckets directly (no agent on this machine), through the same pure
 * planner as one host.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { ApplyRequest, ApplyResponse, DescribeResponse, NamesResponse } from '../api/protocol.js';
import { validateApplyRequest } from '../api/validate-request.js';
import { belongsTo } from '../events/event-log.js';
import { HxeError } from '../core/errors.js';
import { controlInstance, controlService, indexOfInstance } from '../core/instances.js';
import type { HxeEvent, InstanceView, ServiceRecord } from '../core/types.js';
import { planApply, planHasChanges, type ApplyPlan } from '../reconcile/apply-plan.js';
import { connectNats, decode, encode, openBuckets, retry, subjects, type FleetBuckets, type NatsOptions } from './connection.js';
import { readDesired, updateDesired } from './desired.js';
import { instanceLogs, type LogOptions } from './remote-logs.js';
import { fleetViews, nodeRows, readFleet } from './views.js';

export interface FleetClientOptions {
  nats: NatsOptions;
  cluster: string;
}

export class FleetClient {
  private connection: Promise<{ nc: NatsConnection; buckets: FleetBuckets }> | null = null;

  constructor(private readonly options: FleetClientOptions) {}

  private async open() {
    this.connection ??= (async () => {
      const nc = await connectNats(this.options.nats, false).catch((err: unknown) => {
        throw new HxeError('AGENT_UNAVAILABLE', `cannot reach NATS at ${this.options.nats.servers.join(', ')}: ${err instanceof Error ? err.message : String(err)}`);
      });
      return { nc, buckets: await openBuckets(nc, this.options.cluster) };
    })();
    return this.connection;
  }

  async close(): Promise<void> {
    if (this.connection) await (await this.connection).nc.close();
  }

  async plan(request: ApplyRequest): Promise<ApplyResponse> {
    const { buckets } = await this.open();
    const desired = await retry(() => readDesired(buckets.desired));
    return respond(planFor(desired.records, request), false, desired.revision);
  }

  /** Compare-and-set on the document's revision: a concurrent apply makes this one plan again on the newer state. */
  async apply(request: ApplyRequest & { checkIndex?: number }): Promise<ApplyResponse> {
    const { buckets } = await this.open();
    let plan: ApplyPlan | null = null;
    const { state, written } = await updateDesired(buckets.desired, (current) => {
      plan = planFor(current.records, request);
      if (request.dryRun || (plan.put.length === 0 && plan.delete.length === 0)) return null;
      const next = new Map(current.records.map((r) => [r.metadata.name, r]));
      for (const record of plan.put) next.set(record.metadata.name, record);
      for (const name of plan.delete) next.delete(name);
      return [...next.values()];
    }, request.dryRun ? undefined : request.checkIndex);
    return respond(plan!, written, state.revision);
  }

  async delete(names: string[], all = false): Promise<NamesResponse> {
    const { buckets } = await this.open();
    let deleted: string[] = [];
    await updateDesired(buckets.desired, (current) => {
      deleted = all ? current.records.map((r) => r.metadata.name) : selectServices(current.records, names);
      if (deleted.length === 0) return null;
      return current.records.filter((r) => !deleted.includes(r.metadata.name));
    });
    return { names: deleted };
  }

  /** `restart`, `stop`, `start` of services or single instances (`api-1`): the same record fields as on one host, carried to the nodes by their runners. */
  async act(action: 'stop' | 'start' | 'restart', names: string[]): Promise<NamesResponse> {
    const { buckets } = await this.open();
    await updateDesired(buckets.desired, (current) => {
      const changed = new Map(current.records.map((r) => [r.metadata.name, r]));
      for (const name of new Set(names)) {
        const target = targetOf(current.records, name);
        const record = changed.get(target.service)!;
        changed.set(target.service, target.index === null ? controlService(record, action) : controlInstance(record, target.index, action));
      }
      return [...changed.values()];
    });
    return { names: [...new Set(names)] };
  }

  async list(names: string[] = []): Promise<InstanceView[]> {
    const { buckets } = await this.open();
    const state = await retry(() => readFleet(buckets));
    const views = fleetViews(state);
    if (names.length === 0) return views;
    const unknown = names.filter((name) => !views.some((v) => belongsTo(name, v.metadata.service)));
    if (unknown.length > 0) throw new HxeError('NOT_FOUND', `no such service: ${unknown.join(', ')}`);
    return views.filter((v) => names.some((name) => v.name === name || v.metadata.service === name));
  }

  async describe(name: string): Promise<DescribeResponse> {
    const instances = await this.list([name]);
    return { instances, events: await this.events(name, 50) };
  }

  async nodes() {
    const { buckets } = await this.open();
    return nodeRows(await retry(() => readFleet(buckets)));
  }

  /** Each instance's log tail, asked of the node that runs it; with `follow`, then its new lines until `close` (remote-logs.ts). */
  logs(name: string, options: LogOptions, onText: (text: string) => void): { done: Promise<void>; close: () => void } {
    return this.logsOf([name], options, onText);
  }

  /** `hxe logs [NAME...]`: the named services' instances (every service without a name); followed together with `follow`. */
  logsOf(names: string[], options: LogOptions, onText: (text: string) => void): { done: Promise<void>; close: () => void } {
    let stopped = false;
    const done = (async () => {
      const views = await this.list(names);
      const { nc } = await this.open();
      // The connection stays open for the client's next call: its owner closes it (the CLI when the command ends).
      await instanceLogs(nc, this.options.cluster, views, options, onText, () => stopped);
    })();
    return { done, close: () => { stopped = true; } };
  }

  /** `hxe events -w`: the nodes' live events (core NATS: no history). */
  watchEvents(service: string | undefined, onEvent: (event: HxeEvent) => void): { done: Promise<void>; close: () => void } {
    let closeIt = () => undefined as void;
    const done = (async () => {
      const { nc } = await this.open();
      const subscription = nc.subscribe(subjects(this.options.cluster).allEvents);
      closeIt = () => subscription.unsubscribe();
      for await (const msg of subscription) {
        const event = decode<HxeEvent>(msg.data);
        if (event && (!service || belongsTo(event.service, service))) onEvent(event);
      }
    })();
    return { done, close: () => closeIt() };
  }

  /** The recent events of every ready node (request/reply on `hxe.<cluster>.history.<node>`), merged in time order, newest `limit`. */
  async events(service?: string, limit = 100): Promise<HxeEvent[]> {
    const { nc, buckets } = await this.open();
    const ready = nodeRows(await retry(() => readFleet(buckets))).filter((row) => row.state === 'ready');
    const answers = await Promise.all(ready.map((row) =>
      nc.request(subjects(this.options.cluster).history(row.name), encode({ service, limit }), { timeout: 5_000 })
        .then((reply) => decode<HxeEvent[]>(reply.data) ?? [])
        .catch(() => [] as HxeEvent[]))); // A node that does not answer (just lost) has no history to give.
    return answers.flat().sort((a, b) => a.time.localeCompare(b.time)).slice(-limit);
  }
}

/** The plan of `request` over `records`, its specs checked first as the agent's API checks them (a spec equal to the stored one is not decoded again). */
function planFor(records: ServiceRecord[], request: ApplyRequest): ApplyPlan {
  const stored = new Map(records.map((r) => [r.metadata.name, r.spec]));
  const checked = validateApplyRequest(request, (name) => stored.get(name));
  return planApply(records, checked.services, { source: checked.source, prune: checked.prune, now: new Date().toISOString() });
}

function respond(plan: ApplyPlan, applied: boolean, revision: number): ApplyResponse {
  return { plan: { source: plan.source, services: plan.services }, applied: applied && planHasChanges(plan), revision };
}

/** Services named exactly; an instance name is refused (`delete` removes services); an unknown name is not found. */
function selectServices(records: ServiceRecord[], names: string[]): string[] {
  const known = new Set(records.map((r) => r.metadata.name));
  for (const name of names) {
    if (known.has(name)) continue;
    if (records.some((r) => belongsTo(name, r.metadata.name))) throw new HxeError('BAD_USAGE', `${name} is an instance; name its service`);
    throw new HxeError('NOT_FOUND', `no such service: ${name}`);
  }
  return [...new Set(names)];
}

/** A service (index null) or one instance of a service (`api-1`), as on one host; an unknown name is not found. */
function targetOf(records: ServiceRecord[], name: string): { service: string; index: number | null } {
  if (records.some((r) => r.metadata.name === name)) return { service: name, index: null };
  for (const record of records) {
    const index = belongsTo(name, record.metadata.name) ? indexOfInstance(record, name) : null;
    if (index !== null) return { service: record.metadata.name, index };
  }
  throw new HxeError('NOT_FOUND', `no such service or instance: ${name}`);
}
