/**
 * The fleet's connection to NATS and its JetStream KV buckets. One set of
 * buckets per cluster; nothing else is shared between nodes.
 */
import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { Kvm, type KV } from '@nats-io/kv';

/** How to reach NATS: the agent's `nats {}` block, or the CLI's flags and environment. */
export interface NatsOptions {
  servers: string[];
  token?: string;
  user?: string;
  password?: string;
  /** A NATS `.creds` file (JWT + nkey seed of a NATS account user). */
  credsFile?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /** The connection's name, as `nats-server` monitoring shows it. */
  name?: string;
}

/** The cluster's buckets: specs, nodes, instance statuses, the scheduler's lease and assignments. */
export interface FleetBuckets {
  cluster: string;
  desired: KV;
  nodes: KV;
  status: KV;
  sched: KV;
}

/** Key of the one desired-state document (every service's record): one revision is the whole state's index. */
export const DESIRED_KEY = 'services';
export const LEASE_KEY = 'lease';
export const ASSIGNMENTS_KEY = 'assignments';

/** Subjects of a cluster: events per node, log and event-history requests per node. */
export function subjects(cluster: string) {
  return {
    events: (node: string) => `hxe.${cluster}.events.${node}`,
    allEvents: `hxe.${cluster}.events.>`,
    logs: (node: string) => `hxe.${cluster}.logs.${node}`,
    /** A node's recent events on request (`events`, `describe`): not under `events.>`, which carries live events only. */
    history: (node: string) => `hxe.${cluster}.history.${node}`,
  };
}

/**
 * Connects to NATS. `waitOnFirstConnect` (agents) keeps trying when no server
 * is up yet; reconnection is endless either way, so an agent rides out a
 * NATS restart.
 */
export async function connectNats(options: NatsOptions, agent: boolean): Promise<NatsConnection> {
  const tls = options.tls && (options.tls.caFile || options.tls.certFile)
    ? { caFile: options.tls.caFile, certFile: options.tls.certFile, keyFile: options.tls.keyFile }
    : undefined;
  return connect({
    servers: options.servers,
    name: options.name,
    token: options.token,
    user: options.user,
    pass: options.password,
    authenticator: options.credsFile ? credsAuthenticator(readFileSync(options.credsFile)) : undefined,
    tls,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: agent,
    timeout: agent ? 20_000 : 5_000,
  });
}

/** Bucket names for a cluster (`hxe_<cluster>_desired`, ...). */
export function bucketNames(cluster: string) {
  return {
    desired: `hxe_${cluster}_desired`,
    nodes: `hxe_${cluster}_nodes`,
    status: `hxe_${cluster}_status`,
    sched: `hxe_${cluster}_sched`,
  };
}

/**
 * Opens (creating when missing) the cluster's buckets. Replicated on up to
 * three servers when the connection sees a cluster, so losing one server of
 * three loses nothing.
 */
export async function openBuckets(nc: NatsConnection, cluster: string): Promise<FleetBuckets> {
  const kvm = new Kvm(nc);
  const servers = nc.info?.connect_urls?.length ?? 1;
  const replicas = Math.min(3, Math.max(1, servers));
  const names = bucketNames(cluster);
  // Opening an existing bucket asks its stream leader only; creating asks the meta leader (slow while a cluster re-elects).
  const open = (name: string) => retry(() => kvm.open(name).then(async (kv) => { await kv.status(); return kv; })
    .catch((err: unknown) => (/not found/i.test(String(err)) ? kvm.create(name, { history: 1, replicas }) : Promise.reject(err))));
  const [desired, nodes, status, sched] = await Promise.all([open(names.desired), open(names.nodes), open(names.status), open(names.sched)]);
  return { cluster, desired, nodes, status, sched };
}

/**
 * Retries `work` while its errors are transient: a JetStream cluster elects
 * leaders for a few seconds after a start or after losing a server
 * (timeouts, no responders). Other errors are thrown at once.
 */
export async function retry<T>(work: () => Promise<T>, attempts = 40): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await work();
    } catch (err) {
      if (i >= attempts || !isTransient(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

function isTransient(err: unknown): boolean {
  const message = err instanceof Error ? `${err.name} ${err.message}` : String(err);
  return /timeout|no responders|503|leader|unavailable|not ready|stream not found|connection/i.test(message);
}

/** JSON of a KV value, or undefined for an empty, deleted or unreadable one. */
export function decode<T>(value: Uint8Array | undefined): T | undefined {
  if (!value || value.length === 0) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(value)) as T;
  } catch {
    return undefined;
  }
}

export function encode(value: unknown): string {
  return JSON.stringify(value);
}

/** True for KV's compare-and-set refusal ("wrong last sequence") or a create of an existing key. */
export function isRevisionConflict(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return /wrong last sequence|key exists/i.test(message);
}
