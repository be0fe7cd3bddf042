/**
 * The fleet's desired state: every service's record in one KV document, so
 * that one apply is one atomic compare-and-set on one revision (that
 * revision is the index `diff` plans against and `--check-index` checks).
 */
import type { KV } from '@nats-io/kv';
import { HxeError } from '../core/errors.js';
import type { ServiceRecord } from '../core/types.js';
import { decode, DESIRED_KEY, encode, isRevisionConflict, retry } from './connection.js';

export interface DesiredState {
  records: ServiceRecord[];
  /** The KV revision of the document; 0 before the first apply. */
  revision: number;
}

interface DesiredDocument {
  services: Record<string, ServiceRecord>;
}

export async function readDesired(kv: KV): Promise<DesiredState> {
  const entry = await kv.get(DESIRED_KEY);
  const document = decode<DesiredDocument>(entry?.value);
  return { records: Object.values(document?.services ?? {}), revision: document ? entry!.revision : 0 };
}

/** The records as one document; null when nothing changes. */
export type DesiredChange = (current: DesiredState) => ServiceRecord[] | null;

/**
 * Reads, changes and writes the document with compare-and-set: a concurrent
 * writer's change makes the write fail, and `change` runs again on the new
 * state, so no apply loses another's. With `checkIndex`, a moved index is an
 * error instead (exit 1), and nothing is written.
 */
export async function updateDesired(kv: KV, change: DesiredChange, checkIndex?: number): Promise<{ state: DesiredState; written: boolean }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const state = await retry(() => readDesired(kv));
    if (checkIndex !== undefined && state.revision !== checkIndex) {
      throw new HxeError('CONFLICT', `the desired state is at index ${state.revision}, not ${checkIndex}: plan again (hxe diff) and apply with the new index`);
    }
    const records = change(state);
    if (records === null) return { state, written: false };
    const document: DesiredDocument = { services: Object.fromEntries(records.map((r) => [r.metadata.name, r])) };
    try {
      // A write that timed out may have landed: the retry's compare-and-set then fails, and the loop plans again.
      const revision = await retry(() => (state.revision === 0 ? kv.create(DESIRED_KEY, encode(document)) : kv.update(DESIRED_KEY, encode(document), state.revision)));
      return { state: { records, revision }, written: true };
    } catch (err) {
      if (!isRevisionConflict(err)) throw err;
      if (checkIndex !== undefined) throw new HxeError('CONFLICT', `the desired state changed while applying at index ${checkIndex}: plan again`);
    }
  }
  throw new HxeError('CONFLICT', 'the desired state kept changing under this apply; try again');
}
