/** The status bucket: each node writes the statuses of the instances it runs, under `<node>.<instance>`. */
import type { Bucket, KV, KvEntry } from '@nats-io/kv';
import type { InstanceStatus } from '../core/types.js';
import { decode } from './connection.js';

export interface FleetStatus {
  node: string;
  instance: string;
  status: InstanceStatus;
}

/** KV key of an instance's status as written by `node` (node names may hold dots: they stay one key). */
export function statusKey(node: string, instance: string): string {
  return `${node}.${instance}`;
}

/**
 * Every live entry of a bucket. Keys come from the stream's subject
 * list and values from direct gets: no consumer is created, because on a
 * cluster that just lost a server a new consumer may be placed on the dead
 * server and time out (nats-server 2.9).
 */
export async function readEntries(kv: KV): Promise<KvEntry[]> {
  const bucket = kv as unknown as Bucket;
  const info = await bucket.jsm.streams.info(bucket.stream, { subjects_filter: '>' });
  const prefix = `$KV.${bucket.bucket}.`;
  const keys = Object.keys(info.state.subjects ?? {}).filter((s) => s.startsWith(prefix)).map((s) => s.slice(prefix.length));
  const entries = await Promise.all(keys.map((key) => kv.get(key)));
  return entries.filter((entry): entry is KvEntry => entry?.operation === 'PUT' && entry.value.length > 0);
}

/** Every live value of a bucket, by key (see {@link readEntries}). */
export async function readAll<T>(kv: KV): Promise<Map<string, T>> {
  const values = new Map<string, T>();
  for (const entry of await readEntries(kv)) {
    const value = decode<T>(entry.value);
    if (value !== undefined) values.set(entry.key, value);
  }
  return values;
}

/** Statuses by node and instance. */
export async function readStatuses(kv: KV): Promise<FleetStatus[]> {
  return [...(await readAll<FleetStatus>(kv)).values()];
}
