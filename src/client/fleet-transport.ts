/**
 * The transport of `connect({ nats })`: a fleet's client (src/fleet), loaded
 * at the first call, so that the NATS library costs nothing to the callers
 * of a local agent (the CLI's start time).
 */
import type { FleetAuth } from '../fleet/cli-client.js';
import type { FleetClient } from '../fleet/client.js';
import { checkClusterName } from '../fleet/config.js';
import type { Transport } from './client.js';
import { typedError } from './errors.js';

type Streaming = { done: Promise<void>; close: () => void };
type Streamer = (...args: unknown[]) => Streaming;
type Caller = (...args: unknown[]) => Promise<unknown>;

/** The calls that answer once; the rest of Transport streams. The fleet throws BAD_USAGE for those it does not offer. */
const CALLS = ['health', 'agentStatus', 'stopAgent', 'list', 'describe', 'environment', 'plan', 'apply', 'delete', 'act',
  'syncs', 'registerSync', 'unregisterSync', 'events', 'request', 'nodes'] as const;
const STREAMS = ['logs', 'logsOf', 'watchEvents'] as const;

/** A Transport over the fleet of `cluster`, reached through `servers`; `close` ends its NATS connection. */
export function fleetTransport(servers: string | string[], cluster: string, auth: FleetAuth): Transport & { close(): Promise<void> } {
  try {
    checkClusterName(cluster);
  } catch (err) {
    throw typedError(err);
  }
  let loaded: Promise<FleetClient> | null = null;
  const fleet = () => (loaded ??= import('../fleet/cli-client.js').then((m) => m.createFleetClient(servers, cluster, auth)));
  const transport: Record<string, unknown> = {
    close: async () => { if (loaded) await (await loaded.catch(() => null))?.close(); },
  };
  for (const name of CALLS) transport[name] = async (...args: unknown[]) => ((await fleet()) as unknown as Record<string, Caller>)[name](...args);
  for (const name of STREAMS) {
    transport[name] = (...args: unknown[]): Streaming => {
      let closed = false;
      let close = () => { closed = true; };
      const done = fleet().then((client) => {
        if (closed) return undefined;
        const streaming = (client as unknown as Record<string, Streamer>)[name](...args);
        close = streaming.close;
        return streaming.done;
      });
      return { done, close: () => close() };
    };
  }
  return transport as unknown as Transport & { close(): Promise<void> };
}
