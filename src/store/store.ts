import type { InstanceStatus, ServiceRecord, SyncRecord } from '../core/types.js';

/** A stored record that failed validation when the store was read: kept, never used, until deleted. */
export interface SetAsideRecord {
  name: string;
  /** Every field that failed, e.g. `spec.depends_on: missing, expected a list`. */
  reason: string;
  /** When it was set aside. */
  at: string;
  /** The record as it was read (may hold secrets: never shown by the API). */
  record: unknown;
}

/** What changed in one commit to the store. */
export interface StoreChange {
  revision: number;
  /** Services put or deleted. */
  names: string[];
}

/** One atomic change: every put and delete lands together or not at all. */
export interface StoreBatch {
  put?: ServiceRecord[];
  delete?: string[];
}

/**
 * The Store port: desired specs (written by applies) and observed statuses
 * (written by the agent's machines). One writer only: the agent.
 *
 * One rule for both: what goes in is copied or replaced whole, never changed
 * afterwards, and what comes out is a read-only value (a snapshot of the
 * set, whose entries are never mutated): a caller that keeps one sees no
 * later change, and a change is made by putting a new value.
 */
export interface Store {
  /** Grows by one with every committed batch of specs. */
  readonly revision: number;
  get(name: string): ServiceRecord | undefined;
  list(): ServiceRecord[];
  /**
   * Writes the batch atomically and durably, then makes it visible; resolves
   * with the new revision. A failed write (STORE_IO, naming the path) changes
   * nothing, on disk or in memory. A delete also forgets set-aside records
   * of that name.
   */
  commit(batch: StoreBatch): Promise<number>;
  put(records: ServiceRecord[]): Promise<number>;
  delete(names: string[]): Promise<number>;
  /** Called after each commit of specs. Returns an unsubscribe function. */
  watch(listener: (change: StoreChange) => void): () => void;

  getStatus(instance: string): Readonly<InstanceStatus> | undefined;
  /** A snapshot of every recorded status, by instance name. */
  listStatuses(): Readonly<Record<string, Readonly<InstanceStatus>>>;
  /** Records an instance's status (null forgets it); writes are coalesced. */
  setStatus(instance: string, status: InstanceStatus | null): void;
  /** Called at once for every status recorded (null: forgotten). Returns an unsubscribe function. */
  watchStatuses(listener: (instance: string, status: InstanceStatus | null) => void): () => void;
  /** Called when a write fails (message) and when writes work again (null). */
  onWriteHealth(listener: (error: string | null) => void): () => void;
  /** Records set aside when the store was read (see {@link SetAsideRecord}), without their contents. */
  listSetAside(): Omit<SetAsideRecord, 'record'>[];
  listSyncs(): SyncRecord[];
  /** Registers or updates a sync path (null removes it); written first, then visible, like a commit. */
  setSync(path: string, record: SyncRecord | null): Promise<void>;
  /** Waits until every pending write is on disk. */
  flush(): Promise<void>;
}
