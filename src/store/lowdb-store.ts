import { promises as fs } from 'node:fs';
import { byName } from '../core/compare.js';
import path from 'node:path';
import { Low } from 'lowdb';
import type { InstanceStatus, ServiceRecord, SyncRecord } from '../core/types.js';
import { DurableJsonFile } from './durable-json-file.js';
import { migrateDocument, STORE_FORMAT, type StoreDocument } from './document.js';
import { refuseCorruptCopies } from './read-only.js';
import type { Store, StoreBatch, StoreChange } from './store.js';

/** Status writes within this window are written together. */
const STATUS_FLUSH_DELAY_MS = 100;

/**
 * The embedded store: one JSON document under $HXE_HOME (lowdb with a
 * durable adapter). Reads are served from memory; every write replaces the
 * file atomically. Writes are serialised on one chain so that concurrent
 * commits never interleave.
 */
export class LowdbStore implements Store {
  private readonly db: Low<StoreDocument>;
  private readonly listeners = new Set<(change: StoreChange) => void>();
  private readonly statusListeners = new Set<(instance: string, status: InstanceStatus | null) => void>();
  private readonly healthListeners = new Set<(error: string | null) => void>();
  private lastWriteError: string | null = null;
  private writing: Promise<void> = Promise.resolve();
  private statusTimer: NodeJS.Timeout | null = null;
  private sorted: { services: StoreDocument['services']; list: ServiceRecord[] } | null = null;

  private constructor(db: Low<StoreDocument>, private readonly file: string) {
    this.db = db;
  }

  /**
   * Opens the store at `file`. Rejects with STORE_CORRUPT if the file does
   * not parse (it is moved aside) or a corrupt copy is still waiting to be
   * dealt with: the agent refuses to guess what was applied.
   */
  static async open(file: string): Promise<LowdbStore> {
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await refuseCorruptCopies(file);
    const adapter = new DurableJsonFile<StoreDocument>(file);
    const db = new Low<StoreDocument>(adapter, emptyDocument());
    await db.read();
    db.data = migrateDocument(db.data, file);
    return new LowdbStore(db, file);
  }

  get revision(): number {
    return this.db.data.revision;
  }

  get(name: string): ServiceRecord | undefined {
    return this.db.data.services[name];
  }

  list(): ServiceRecord[] {
    // Sorted once per change of the set, not at every query (1,000 services: a sort per `get` poll).
    if (this.sorted?.services !== this.db.data.services) {
      this.sorted = { services: this.db.data.services, list: Object.values(this.db.data.services).sort((a, b) => byName(a.metadata.name, b.metadata.name)) };
    }
    return [...this.sorted.list];
  }

  async commit(batch: StoreBatch): Promise<number> {
    const names: string[] = [];
    const services = { ...this.db.data.services };
    for (const record of batch.put ?? []) {
      services[record.metadata.name] = structuredClone(record);
      names.push(record.metadata.name);
    }
    for (const name of batch.delete ?? []) {
      if (services[name]) names.push(name);
      delete services[name];
    }
    const revision = this.db.data.revision + 1;
    this.db.data = { ...this.db.data, revision, services };
    await this.write();
    const change = { revision, names };
    for (const listener of this.listeners) listener(change);
    return revision;
  }

  put(records: ServiceRecord[]): Promise<number> {
    return this.commit({ put: records });
  }

  delete(names: string[]): Promise<number> {
    return this.commit({ delete: names });
  }

  watch(listener: (change: StoreChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  getStatus(instance: string): InstanceStatus | undefined {
    return this.db.data.statuses[instance];
  }

  listStatuses(): Record<string, InstanceStatus> {
    return this.db.data.statuses;
  }

  setStatus(instance: string, status: InstanceStatus | null): void {
    // In place: copying the map at every status change made a start of N services O(N²).
    const { statuses } = this.db.data;
    if (status) statuses[instance] = status;
    else delete statuses[instance];
    for (const listener of this.statusListeners) listener(instance, status);
    this.statusTimer ??= setTimeout(() => {
      this.statusTimer = null;
      void this.write().catch(() => undefined);
    }, STATUS_FLUSH_DELAY_MS);
  }

  listSyncs(): SyncRecord[] {
    return Object.values(this.db.data.syncs).sort((a, b) => byName(a.path, b.path));
  }

  async setSync(path: string, record: SyncRecord | null): Promise<void> {
    const syncs = { ...this.db.data.syncs };
    if (record) syncs[path] = structuredClone(record);
    else delete syncs[path];
    this.db.data = { ...this.db.data, syncs };
    await this.write();
  }

  watchStatuses(listener: (instance: string, status: InstanceStatus | null) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  onWriteHealth(listener: (error: string | null) => void): () => void {
    this.healthListeners.add(listener);
    return () => this.healthListeners.delete(listener);
  }

  async flush(): Promise<void> {
    if (this.statusTimer) {
      clearTimeout(this.statusTimer);
      this.statusTimer = null;
      await this.write();
    }
    await this.writing;
  }

  /** Queues a write of the current document after the previous one. */
  private write(): Promise<void> {
    const next = this.writing.then(() => this.db.write()).then(
      () => this.reportHealth(null),
      (err: unknown) => {
        this.reportHealth(`cannot write the store ${this.file}: ${err instanceof Error ? err.message : String(err)}`);
        throw err;
      },
    );
    this.writing = next.catch(() => undefined);
    return next;
  }

  /** Tells listeners when writes start failing and when they work again (not at every write). */
  private reportHealth(error: string | null): void {
    if (error === this.lastWriteError) return;
    this.lastWriteError = error;
    for (const listener of this.healthListeners) listener(error);
  }
}

function emptyDocument(): StoreDocument {
  return { format: STORE_FORMAT, revision: 0, services: {}, statuses: {}, syncs: {} };
}
