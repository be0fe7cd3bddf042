/**
 * The node side of the fleet: turns this node's assignments into local
 * services (through the agent's own apply, source `fleet:<cluster>`),
 * publishes their statuses and events, and answers log requests.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { ApplyRequest } from '../api/protocol.js';
import { errorMessage } from '../core/errors.js';
import type { DesiredService, HxeEvent, InstanceStatus, ServiceRecord } from '../core/types.js';
import { ASSIGNMENTS_KEY, decode, encode, subjects, type FleetBuckets } from './connection.js';
import { readDesired } from './desired.js';
import { localServices, RESTART_LABEL } from './local-specs.js';
import type { Assignments } from './placement.js';
import type { LogSession, LogSessionOptions } from '../logs/log-session.js';
import { logAnswers } from './log-answers.js';
import { readEntries, statusKey, type FleetStatus } from './status.js';

/** What the runner needs of the agent it runs in. */
export interface LocalAgent {
  apply(request: ApplyRequest): Promise<unknown>;
  restart(names: string[], reason: string): Promise<unknown>;
  records(): ServiceRecord[];
  statuses(): Record<string, InstanceStatus>;
  watchStatuses(listener: (instance: string, status: InstanceStatus | null) => void): () => void;
  subscribeEvents(listener: (event: HxeEvent) => void): () => void;
  /** The agent's log session over local instances, as `hxe logs` on one host reads them. */
  openLogs(instances: string[], options: LogSessionOptions): Promise<LogSession>;
  /** The agent's recent events (of `service` and its instances), oldest first. */
  recentEvents(service: string | undefined, limit: number): HxeEvent[];
}

export interface RunnerDeps {
  nc: NatsConnection;
  buckets: FleetBuckets;
  node: string;
  agent: LocalAgent;
  logger: Logger;
}

const STATUS_FLUSH_MS = 100;
/** A resync now and then: a watch may be lost (its consumer on a server that died); a lost trigger costs this much latency. */
const RESYNC_MS = 5_000;

export class Runner {
  private readonly source: string;
  private pending = new Map<string, InstanceStatus | null>();
  private flushTimer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> = Promise.resolve();
  private readonly stops: (() => void)[] = [];

  constructor(private readonly deps: RunnerDeps) {
    this.source = `fleet:${deps.buckets.cluster}`;
  }

  /** Local instance names this runner manages. */
  private mine(): Set<string> {
    return new Set(this.deps.agent.records().filter((r) => r.metadata.source === this.source).map((r) => r.metadata.name));
  }

  async start(): Promise<void> {
    const { agent } = this.deps;
    this.stops.push(agent.watchStatuses((instance, status) => this.queueStatus(instance, status)));
    this.stops.push(agent.subscribeEvents((event) => this.publishEvent(event)));
    this.answerLogs();
    this.answerHistory();
    await this.watch(this.deps.buckets.sched, ASSIGNMENTS_KEY);
    await this.watch(this.deps.buckets.desired, undefined);
    void this.trackConnection();
    const resync = setInterval(() => this.sync(), RESYNC_MS);
    resync.unref();
    this.stops.push(() => clearInterval(resync));
  }

  /** Re-syncs on every change of the key; a watch survives reconnects (its consumer is recreated). */
  private async watch(kv: FleetBuckets['sched'], key: string | undefined): Promise<void> {
    const watcher = await kv.watch(key ? { key } : {});
    this.stops.push(() => watcher.stop());
    void (async () => {
      for await (const entry of watcher) {
        if (entry.delta && entry.delta > 0) continue;
        this.sync();
      }
    })().catch(() => undefined); // A lost watch: the periodic resync still catches up.
  }

  /** After a reconnect: catch up (assignments may have moved) and publish every status again. */
  private async trackConnection(): Promise<void> {
    for await (const status of this.deps.nc.status()) {
      if (status.type !== 'reconnect') continue;
      this.deps.logger.info({ action: 'fleet', event: 'reconnected' }, 'fleet: reconnected to NATS');
      this.sync();
      for (const [instance, s] of Object.entries(this.deps.agent.statuses())) this.queueStatus(instance, s);
    }
  }

  /** One sync at a time; each reads the newest state, so a missed trigger costs latency only. */
  sync(): void {
    void this.syncNow();
  }

  /** A sync, awaited. */
  syncNow(): Promise<void> {
    this.syncing = this.syncing.then(() => this.syncOnce()).catch((err) => {
      this.deps.logger.warn({ action: 'fleet', err: errorMessage(err) }, 'fleet: sync failed; retried at the next change');
    });
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    const { buckets, node, agent } = this.deps;
    const [desired, entry] = await Promise.all([readDesired(buckets.desired), buckets.sched.get(ASSIGNMENTS_KEY)]);
    const assignments = decode<Assignments>(entry?.value) ?? { instances: {}, pending: {} };
    const services = localServices(node, desired.records, assignments);
    const restarts = this.restartsNeeded(services);
    await agent.apply({ source: this.source, services, prune: true, dryRun: false });
    if (restarts.length > 0) await agent.restart(restarts, 'restart requested (fleet)');
  }

  /** Instances whose fleet restart nonce moved since the local copy was written. */
  private restartsNeeded(services: DesiredService[]): string[] {
    const local = new Map(this.deps.agent.records().map((r) => [r.metadata.name, r]));
    return services.filter((s) => {
      const before = local.get(s.name)?.spec.labels[RESTART_LABEL];
      return before !== undefined && before !== s.spec.labels[RESTART_LABEL];
    }).map((s) => s.name);
  }

  /** Deletes the status keys this node wrote for instances it no longer runs (left by a crash or a partition). */
  async forgetStaleStatuses(): Promise<void> {
    const mine = this.mine();
    const prefix = statusKey(this.deps.node, '');
    const entries = await readEntries(this.deps.buckets.status);
    const stale = entries.filter((e) => e.key.startsWith(prefix) && !mine.has(e.key.slice(prefix.length)));
    await Promise.all(stale.map((e) => this.deps.buckets.status.delete(e.key)));
  }

  private queueStatus(instance: string, status: InstanceStatus | null): void {
    this.pending.set(instance, status);
    this.flushTimer ??= setTimeout(() => void this.flushStatuses(), STATUS_FLUSH_MS);
  }

  /** Puts the latest status of each changed instance; a failure (NATS away) keeps it for the next flush. */
  private async flushStatuses(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    const mine = this.mine();
    const { status: kv } = this.deps.buckets;
    const failed: [string, InstanceStatus | null][] = [];
    await Promise.all([...batch].map(async ([instance, status]) => {
      const key = statusKey(this.deps.node, instance);
      try {
        if (status && mine.has(instance)) {
          const value: FleetStatus = { node: this.deps.node, instance, status };
          await kv.put(key, encode(value));
        } else await kv.delete(key);
      } catch {
        failed.push([instance, status]);
      }
    }));
    this.flushTimer = null;
    for (const [instance, status] of failed) if (!this.pending.has(instance)) this.pending.set(instance, status);
    if (this.pending.size > 0) this.flushTimer = setTimeout(() => void this.flushStatuses(), failed.length ? 1_000 : STATUS_FLUSH_MS);
  }

  private publishEvent(event: HxeEvent): void {
    try {
      this.deps.nc.publish(subjects(this.deps.buckets.cluster).events(this.deps.node), encode({ ...event, node: this.deps.node }));
    } catch {
      // Events are best effort: the node's own event log keeps them.
    }
  }

  /** `hxe logs NAME` in a fleet: the CLI asks the node that runs the instance (log-answers.ts). */
  private answerLogs(): void {
    const answers = logAnswers({ mine: () => this.mine(), openLogs: (instances, options) => this.deps.agent.openLogs(instances, options) }, this.deps.node);
    const subscription: Subscription = this.deps.nc.subscribe(subjects(this.deps.buckets.cluster).logs(this.deps.node), {
      callback: (err, msg) => { if (!err) answers.answer(msg); },
    });
    this.stops.push(() => { subscription.unsubscribe(); answers.close(); });
  }

  /** `hxe events` and `describe` in a fleet: the CLI asks every ready node for its recent events and merges them. */
  private answerHistory(): void {
    const subscription: Subscription = this.deps.nc.subscribe(subjects(this.deps.buckets.cluster).history(this.deps.node), {
      callback: (err, msg) => {
        if (err) return;
        const request = decode<{ service?: string; limit?: number }>(msg.data);
        const events = this.deps.agent.recentEvents(request?.service, Math.min(Math.max(request?.limit ?? 100, 1), 1_000));
        msg.respond(encode(events.map((event) => ({ ...event, node: this.deps.node }))));
      },
    });
    this.stops.push(() => subscription.unsubscribe());
  }

  async stop(): Promise<void> {
    for (const stop of this.stops) stop();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    // Bounded: without NATS the last statuses are lost (the next agent publishes them again at its start).
    const bound = new Promise((resolve) => setTimeout(resolve, 1_000).unref());
    await Promise.race([Promise.all([this.flushStatuses().catch(() => undefined), this.syncing]), bound]);
  }
}
