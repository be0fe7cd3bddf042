/**
 * The scheduler: every agent runs one, and the one holding the lease key
 * (compare-and-set on its revision, renewed every tick, taken over when
 * stale) writes the assignments document, itself with compare-and-set, so
 * a second scheduler working from an older view cannot overwrite a newer one.
 */
import type { KV } from '@nats-io/kv';
import type { Logger } from 'pino';
import { errorMessage } from '../core/errors.js';
import { ASSIGNMENTS_KEY, decode, encode, isRevisionConflict, LEASE_KEY, type FleetBuckets } from './connection.js';
import { readDesired } from './desired.js';
import { LOST_AFTER_MS, readNodes } from './nodes.js';
import { placeInstances, sameAssignments, type Assignments } from './placement.js';

export const SCHEDULE_TICK_MS = 1_000;

interface Lease {
  holder: string;
}

export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private leaderSince: number | null = null;
  /** Since when this scheduler has reached NATS without interruption: until LOST_AFTER_MS after, no node is declared lost. */
  private connectedSince: number | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopWatch = () => undefined as void;
  private finishedPasses = 0;

  constructor(private readonly buckets: FleetBuckets, private readonly node: string, private readonly logger: Logger) {}

  start(): void {
    this.timer = setInterval(() => this.kick(), SCHEDULE_TICK_MS);
    this.timer.unref();
    this.kick();
    void this.watchDesired();
  }

  /** An apply is scheduled at once rather than at the next tick. */
  private async watchDesired(): Promise<void> {
    try {
      const watcher = await this.buckets.desired.watch({ include: 'updates' });
      this.stopWatch = () => watcher.stop();
      for await (const entry of watcher) if (entry.operation === 'PUT') this.kick();
    } catch {
      // The tick still schedules, at most SCHEDULE_TICK_MS later.
    }
  }

  /** Runs a pass now (or right after the running one). */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.tick().finally(() => {
      this.running = null;
      this.finishedPasses += 1;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.stopWatch();
    // A pass waiting on an unreachable NATS is abandoned: it writes nothing once the lease is gone.
    await Promise.race([this.running, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
  }

  /** How many passes have ended: a pass started after a moment has ended once this grows by two from it. */
  get passes(): number {
    return this.finishedPasses;
  }

  /** True while this scheduler holds the lease. */
  get leader(): boolean {
    return this.leaderSince !== null;
  }

  private async tick(): Promise<void> {
    try {
      const leader = await this.holdLease();
      this.connectedSince ??= Date.now();
      if (leader) await this.schedule();
    } catch (err) {
      // NATS away (every heartbeat stopped too): the next pass that reaches it gives every node a fresh grace.
      if (this.leaderSince !== null) this.logger.warn({ action: 'fleet', err: errorMessage(err) }, 'fleet: scheduler pass failed');
      this.leaderSince = null;
      this.connectedSince = null;
    }
  }

  private async holdLease(): Promise<boolean> {
    const kv = this.buckets.sched;
    const entry = await kv.get(LEASE_KEY);
    const lease = decode<Lease>(entry?.value);
    const mine = encode({ holder: this.node } satisfies Lease);
    try {
      if (!entry || !lease) await (entry ? kv.update(LEASE_KEY, mine, entry.revision) : kv.create(LEASE_KEY, mine));
      else if (lease.holder === this.node) await kv.update(LEASE_KEY, mine, entry.revision);
      else if (Date.now() - entry.created.getTime() > LOST_AFTER_MS) await kv.update(LEASE_KEY, mine, entry.revision);
      else {
        this.leaderSince = null;
        return false;
      }
    } catch (err) {
      if (!isRevisionConflict(err)) throw err;
      this.leaderSince = null;
      return false;
    }
    if (this.leaderSince === null) {
      this.leaderSince = Date.now();
      this.logger.info({ action: 'fleet', node: this.node }, 'fleet: this node schedules (holds the lease)');
    }
    return true;
  }

  private async schedule(): Promise<void> {
    const { desired: desiredKv, nodes: nodesKv, sched } = this.buckets;
    const [desired, nodes, entry] = await Promise.all([readDesired(desiredKv), readNodes(nodesKv), sched.get(ASSIGNMENTS_KEY)]);
    const graceful = Date.now() - this.connectedSince! < LOST_AFTER_MS;
    const views = nodes.map((n) => ({ name: n.name, labels: n.labels, ready: n.state === 'ready' || graceful }));
    const previous = decode<Assignments>(entry?.value) ?? { instances: {}, pending: {} };
    const next = placeInstances(desired.records, views, previous);
    if (entry && sameAssignments(previous, next)) return;
    await writeAssignments(sched, next, entry?.revision ?? 0).catch((err) => {
      if (!isRevisionConflict(err)) throw err;
    });
    this.logger.info({ action: 'fleet', instances: Object.keys(next.instances).length, pending: Object.keys(next.pending) }, 'fleet: assignments written');
  }
}

function writeAssignments(kv: KV, assignments: Assignments, revision: number): Promise<number> {
  return revision === 0 ? kv.create(ASSIGNMENTS_KEY, encode(assignments)) : kv.update(ASSIGNMENTS_KEY, encode(assignments), revision);
}
