/**
 * The CLI's fleet client: `--server nats://...` drives the cluster's KV
 * buckets directly (no agent on this machine), through the same pure
 * planner as one host.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { ApplyRequest, ApplyResponse, DescribeResponse, NamesResponse } from '../api/protocol.js';
import { belongsTo } from '../events/event-log.js';
import { HxeError } from '../core/errors.js';
import type { HxeEvent, InstanceView, ServiceRecord } from '../core/types.js';
import { planApply, planHasChanges, type ApplyPlan } from '../reconcile/apply-plan.js';
import { connectNats, decode, encode, openBuckets, retry, subjects, type FleetBuckets, type NatsOptions } from './connection.js';
import { readDesired, updateDesired } from './desired.js';
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

  /** `restart`, `stop`, `start`: the same record fields as on one host, carried to the nodes by their runners. */
  async act(action: 'stop' | 'start' | 'restart', names: string[]): Promise<NamesResponse> {
    const { buckets } = await this.open();
    let acted: string[] = [];
    await updateDesired(buckets.desired, (current) => {
      acted = selectServices(current.records, names);
      return current.records.map((r) => (acted.includes(r.metadata.name) ? change(r, action) : r));
    });
    return { names: acted };
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
    return { instances, events: [] };
  }

  async nodes() {
    const { buckets } = await this.open();
    return nodeRows(await retry(() => readFleet(buckets)));
  }

  /** Asks each node that runs an instance of `name` for its log tail (request/reply on `hxe.<cluster>.logs.<node>`). */
  logs(name: string, options: { tail: number; stream: 'out' | 'err' | 'both'; follow: boolean }, onText: (text: string) => void): { done: Promise<void>; close: () => void } {
    const done = (async () => {
      if (options.follow) throw new HxeError('BAD_USAGE', 'logs -f is not available with a nats:// server yet; use --tail');
      const views = await this.list([name]);
      const { nc } = await this.open();
      for (const view of views) {
        if (!view.status.node) continue;
        const reply = await nc.request(subjects(this.options.cluster).logs(view.status.node), encode({ instance: view.name, tail: options.tail, stream: options.stream }), { timeout: 5_000 })
          .catch(() => { throw new HxeError('AGENT_UNAVAILABLE', `node ${view.status.node} did not answer for ${view.name}`); });
        const answer = decode<{ text?: string; error?: string }>(reply.data);
        if (answer?.error) throw new HxeError('NOT_FOUND', answer.error);
        const text = answer?.text ?? '';
        onText(views.length > 1 ? text.replace(/^(?=.)/gm, `[${view.name}] `) : text);
      }
      await this.close();
    })();
    return { done, close: () => void this.close() };
  }

  /** `hxe logs [NAME...]`: each named service's tail (every service without a name), one after the other. */
  logsOf(names: string[], options: { tail: number; stream: 'out' | 'err' | 'both'; follow: boolean }, onText: (text: string) => void): { done: Promise<void>; close: () => void } {
    const done = (async () => {
      const services = names.length > 0 ? names : [...new Set((await this.list([])).map((view) => view.metadata.service))];
      for (const name of services) await this.logs(name, options, onText).done;
    })();
    return { done, close: () => void this.close() };
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

  async events(): Promise<HxeEvent[]> {
    return [];
  }
}

function planFor(records: ServiceRecord[], request: ApplyRequest): ApplyPlan {
  return planApply(records, request.services, { source: request.source, prune: request.prune, now: new Date().toISOString() });
}

function respond(plan: ApplyPlan, applied: boolean, revision: number): ApplyResponse {
  return { plan: { source: plan.source, services: plan.services }, applied: applied && planHasChanges(plan), revision };
}

/** Services named exactly; an instance name is refused (delete, act on services); an unknown name is not found. */
function selectServices(records: ServiceRecord[], names: string[]): string[] {
  const known = new Set(records.map((r) => r.metadata.name));
  for (const name of names) {
    if (known.has(name)) continue;
    if (records.some((r) => belongsTo(name, r.metadata.name))) throw new HxeError('BAD_USAGE', `${name} is an instance; name its service`);
    throw new HxeError('NOT_FOUND', `no such service: ${name}`);
  }
  return [...new Set(names)];
}

function change(record: ServiceRecord, action: 'stop' | 'start' | 'restart'): ServiceRecord {
  if (action === 'restart') return { ...record, restartNonce: record.restartNonce + 1 };
  if (action === 'stop') return { ...record, desiredState: 'stopped' };
  return { ...record, desiredState: 'running', startNonce: record.startNonce + 1 };
}
