/**
 * The node registry: each agent puts its record under its name every
 * {@link HEARTBEAT_MS}; a node whose last put is older than {@link LOST_AFTER_MS}
 * (by the NATS server's clock) is lost.
 */
import type { KV } from '@nats-io/kv';
import { byName } from '../core/compare.js';
import { decode, encode } from './connection.js';
import { readEntries } from './status.js';

export const HEARTBEAT_MS = 2_000;
export const LOST_AFTER_MS = 10_000;

/** What a node says of itself. */
export interface NodeRecord {
  name: string;
  labels: Record<string, string>;
  /** When this agent joined (ISO). */
  joinedAt: string;
  version: string;
  pid: number;
}

export interface NodeEntry extends NodeRecord {
  /** Server time of the last heartbeat. */
  heartbeatAt: Date;
  state: 'ready' | 'lost';
}

/** Every registered node, with its state as of `now`. */
export async function readNodes(kv: KV, now = Date.now()): Promise<NodeEntry[]> {
  const entries = await readEntries(kv);
  const nodes: NodeEntry[] = [];
  for (const entry of entries) {
    const record = decode<NodeRecord>(entry?.value);
    if (!entry || !record) continue;
    const state = now - entry.created.getTime() > LOST_AFTER_MS ? 'lost' : 'ready';
    nodes.push({ ...record, heartbeatAt: entry.created, state });
  }
  return nodes.sort((a, b) => byName(a.name, b.name));
}

/** Puts the node's record now and every {@link HEARTBEAT_MS}; failures (NATS away) are retried at the next beat. */
export function startHeartbeat(kv: KV, record: NodeRecord, onError: (err: unknown) => void): { stop(): void; beat(): Promise<void> } {
  const beat = async () => {
    try {
      await kv.put(record.name, encode(record));
    } catch (err) {
      onError(err);
    }
  };
  void beat();
  const timer = setInterval(() => void beat(), HEARTBEAT_MS);
  timer.unref();
  return { stop: () => clearInterval(timer), beat };
}
