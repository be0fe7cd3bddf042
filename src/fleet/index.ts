/**
 * The fleet, as the agent starts it: connect to NATS, open the cluster's
 * buckets, register and heartbeat, schedule (when holding the lease) and run
 * this node's assignments. Starts in the background: an agent whose NATS is
 * away runs its local copy of its services meanwhile.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { errorMessage } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import type { FleetConfig } from './config.js';
import { connectNats, openBuckets } from './connection.js';
import { startHeartbeat } from './nodes.js';
import { Runner, type LocalAgent } from './runner.js';
import { Scheduler } from './scheduler.js';

const JOIN_RETRY_MS = 5_000;

export interface Fleet {
  /** Resolves once this node's assignments were read and applied locally (or joining failed). */
  synced: Promise<void>;
  stop(): Promise<void>;
}

/** Joins the fleet in the background; `stop` leaves it (the services stay: they are the agent's). */
export function startFleet(config: FleetConfig, agent: LocalAgent, logger: Logger): Fleet {
  let nc: NatsConnection | null = null;
  let stopped = false;
  const parts: { stop(): unknown }[] = [];
  const join = async () => {
    nc = await connectNats(config.nats, true);
    if (stopped) return;
    const buckets = await openBuckets(nc, config.cluster);
    const record = { name: config.node, labels: config.labels, joinedAt: new Date().toISOString(), version: VERSION, pid: process.pid };
    parts.push(startHeartbeat(buckets.nodes, record, () => undefined));
    const scheduler = new Scheduler(buckets, config.node, logger);
    scheduler.start();
    parts.push(scheduler);
    const runner = new Runner({ nc, buckets, node: config.node, agent, logger });
    await runner.start();
    parts.push(runner);
    await runner.syncNow();
    await runner.forgetStaleStatuses().catch(() => undefined);
    logger.info({ action: 'fleet', cluster: config.cluster, node: config.node }, 'fleet: joined');
  };
  // Joining is retried (NATS without JetStream yet, a cluster electing): the local copy runs meanwhile.
  const started = (async () => {
    for (let attempt = 1; !stopped; attempt++) {
      try {
        await join();
        return;
      } catch (err) {
        logger.error({ action: 'fleet', err: errorMessage(err), attempt }, 'fleet: could not join; retrying in 5 s');
        for (const part of parts.splice(0).reverse()) await part.stop();
        await (nc as NatsConnection | null)?.close().catch(() => undefined);
        nc = null;
        await new Promise((resolve) => setTimeout(resolve, JOIN_RETRY_MS).unref());
      }
    }
  })();
  return {
    synced: started,
    async stop() {
      stopped = true;
      await Promise.race([started, new Promise((resolve) => setTimeout(resolve, 1_000))]);
      for (const part of parts.reverse()) await part.stop();
      await (nc as NatsConnection | null)?.close().catch(() => undefined);
    },
  };
}
