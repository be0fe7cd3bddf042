/** The status bucket: each node writes the statuses of the instances it runs, under `<node>.<instance>`. */
import type { KV } from '@nats-io/kv';
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

/** Every live value of a bucket, by key (one watch that replays the last values, then stops). */
export async function readAll<T>(kv: KV): Promise<Map<string, T>> {
  const values = new Map<string, T>();
  const status = await kv.status();
  if (status.values === 0) return values;
  const watcher = await kv.watch({});
  for await (const entry of watcher) {
    const value = entry.operation === 'PUT' ? decode<T>(entry.value) : undefined;
    if (value !== undefined) values.set(entry.key, value);
    else values.delete(entry.key);
    if (!entry.delta) break;
  }
  watcher.stop();
  return values;
}

/** Statuses by node and instance. */
export async function readStatuses(kv: KV): Promise<FleetStatus[]> {
  return [...(await readAll<FleetStatus>(kv)).values()];
}
