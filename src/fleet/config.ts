/** The fleet's settings, from the agent configuration. Imports no NATS code: an agent without a fleet never loads it. */
import os from 'node:os';
import { HxeError } from '../core/errors.js';
import type { NatsOptions } from './connection.js';

/** The agent configuration's `nats {}` block and node identity, as the fleet reads them. */
export interface FleetConfig {
  nats: NatsOptions;
  cluster: string;
  node: string;
  labels: Record<string, string>;
}

/** A cluster name as a client gives it (`--cluster`, `connect({ cluster })`): a NATS subject token; a usage error otherwise. */
export function checkClusterName(cluster: string): void {
  if (!/^[A-Za-z0-9_-]+$/.test(cluster)) throw new HxeError('BAD_USAGE', `--cluster: expected letters, digits, "_" and "-", got "${cluster}"`);
}

/** The agent config's `nats` block → fleet settings; null when the agent does not join a fleet. */
export function fleetConfigOf(agent: {
  name: string; labels?: Record<string, string>;
  nats: { enabled: boolean; url: string; servers?: string[]; cluster_name?: string; token?: string; user?: string; password?: string; creds_file?: string; tls?: { ca_file?: string; cert_file?: string; key_file?: string } };
}): FleetConfig | null {
  const { nats } = agent;
  const servers = nats.servers?.length ? nats.servers : nats.enabled ? [nats.url] : [];
  if (servers.length === 0) return null;
  return {
    nats: {
      servers, token: nats.token, user: nats.user, password: nats.password, credsFile: nats.creds_file,
      tls: nats.tls && { caFile: nats.tls.ca_file, certFile: nats.tls.cert_file, keyFile: nats.tls.key_file },
      name: `hxe-agent ${agent.name}`,
    },
    cluster: nats.cluster_name ?? 'hxe-cluster',
    node: agent.name || os.hostname(),
    labels: agent.labels ?? {},
  };
}

