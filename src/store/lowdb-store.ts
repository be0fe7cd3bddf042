import { promises as fs } from 'node:fs';
import { byName } from '../core/compare.js';
import path from 'node:path';
import { Low } from 'lowdb';
import { errorMessage, HxeError } from '../core/errors.js';
import type { InstanceStatus, ServiceRecord, SyncRecord } from '../core/types.js';
import { DurableJsonFile } from './durable-json-file.js';
import { migrateDocument, servicesDigest, STORE_FORMAT, type StoreDocument } from './document.js';
import { refuseCorruptCopies } from './read-only.js';
import type { SetAsideRecord, Store, StoreBatch, StoreChange } from './store.js';

/** Status writes within this window are written together. */
const STATUS_FLUSH_DELAY_MS = 100;

/**
 * The embedded store: one JSON document under $HXE_HOME (lowdb, with a
 * durable adapter). Reads are served from memory. Every
 * change builds the next document, writes it, and only then makes it the
 * one in memory: a failed write leaves the agent exactly as it was. Writes
 * are serialised on one chain, each built from the document before it, so
 * that concurrent changes never interleave or lose one another.
 */
export class LowdbStore implements Store {
  private readonly listeners = new Set<(change: StoreChange) => void>();
  private readonly statusListeners = new Set<(instance: string, status: InstanceStatus | null) => void>();
  private readonly healthListeners = new Set<(error: string | null) => void>();
  private lastWriteError: string | null = null;
  private writing: Promise<unknown> = Promise.resolve();
  private statusTimer: NodeJS.Timeout | null = null;
  private sorted: { services: StoreDocument['services']; list: ServiceRecord[] } | null = null;
  private digested: { services: StoreDocument['services']; digest: string } | null = null;

  private constructor(private readonly db: Low<StoreDocument>, private readonly file: string) {}

  /** The document in memory: what was last written (lowdb's `data`). */
  private get doc(): StoreDocument {
    return this.db.data;
  }

  private set doc(doc: StoreDocument) {
    this.db.data = doc;
  }

  /**
   * Opens the store at `file`. Rejects with STORE_CORRUPT if the file does
   * not parse (it is moved aside) or a corrupt copy is still waiting to be
   * dealt with: the agent refuses to guess what was applied. A record that
   * parses but fails validation is set aside ({@link listSetAside}).
   */
  static async open(file: string): Promise<LowdbStore> {
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await refuseCorruptCopies(file);
    // Services are replaced whole at each commit (the statuses map changes in place): a status flush reuses their JSON.
    const adapter = new DurableJsonFile<StoreDocument>(file, { frozenKeys: ['services'] });
    const db = new Low<StoreDocument>(adapter, emptyDocument());
    await db.read();
    db.data = migrateDocument(db.data, file);
    return new LowdbStore(db, file);
  }

  get revision(): number {
    return this.doc.revision;
  }

  get(name: string): ServiceRecord | undefined {
    return Object.hasOwn(this.doc.services, name) ? this.doc.services[name] : undefined;
  }

  list(): ServiceRecord[] {
    // Sorted once per change of the set, not at every query (1,000 services: a sort per `get` poll).
    if (this.sorted?.services !== this.doc.services) {
      this.sorted = { services: this.doc.services, list: Object.values(this.doc.services).sort((a, b) => byName(a.metadata.name, b.metadata.name)) };
    }
    return [...this.sorted.list];
  }

  async commit(batch: StoreBatch): Promise<number> {
    const names: string[] = [];
    const change = await this.change((doc) => {
      const services = { ...doc.services };
      for (const record of batch.put ?? []) {
        services[record.metadata.name] = structuredClone(record);
        names.push(record.metadata.name);
      }
      const deleted = new Set(batch.delete ?? []);
      for (const name of deleted) {
        if (Object.hasOwn(services, name)) names.push(name);
        delete services[name];
      }
      const setAside = Object.fromEntries(Object.entries(doc.setAside).filter(([, entry]) => !deleted.has(entry.name)));
      return { ...doc, revision: doc.revision + 1, services, setAside };
    });
    const published = { revision: change.revision, names };
    for (const listener of this.listeners) listener(published);
    return change.revision;
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

  getStatus(instance: string): Readonly<InstanceStatus> | undefined {
    return this.doc.statuses[instance];
  }

  listStatuses(): Readonly<Record<string, Readonly<InstanceStatus>>> {
    // A copy: the map itself changes in place (setStatus), the statuses in it never do.
    return { ...this.doc.statuses };
  }

  setStatus(instance: string, status: InstanceStatus | null): void {
    // Statuses are observations, not requests: memory holds what is true now, and the
    // next write carries it. The map in place (copying it at every change made a start of N services
    // O(N²)); the status itself is replaced whole, never changed, so a snapshot handed out stays true.
    const { statuses } = this.doc;
    if (status) statuses[instance] = status;
    else delete statuses[instance];
    for (const listener of this.statusListeners) listener(instance, status);
    this.statusTimer ??= setTimeout(() => {
      this.statusTimer = null;
      void this.change((doc) => doc).catch(() => undefined);
    }, STATUS_FLUSH_DELAY_MS);
  }

  listSetAside(): Omit<SetAsideRecord, 'record'>[] {
    return Object.values(this.doc.setAside).map(({ name, reason, at }) => ({ name, reason, at }));
  }

  listSyncs(): SyncRecord[] {
    return Object.values(this.doc.syncs).sort((a, b) => byName(a.path, b.path));
  }

  async setSync(path: string, record: SyncRecord | null): Promise<void> {
    await this.change((doc) => {
      const syncs = { ...doc.syncs };
      if (record) syncs[path] = structuredClone(record);
      else delete syncs[path];
      return { ...doc, syncs };
    });
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
      await this.change((doc) => doc);
    }
    await this.writing;
  }

  /**
   * Queues a change after the previous one: `next` builds the document from
   * the current one, which is written and only then made current.
   * @throws HxeError STORE_IO naming the store's path when the write fails;
   *   memory is then unchanged.
   */
  private change(next: (doc: StoreDocument) => StoreDocument): Promise<StoreDocument> {
    const result = this.writing.then(async () => {
      const doc = next(this.doc);
      try {
        await this.db.adapter.write({ ...doc, checked: this.digest(doc.services) });
      } catch (err) {
        const message = `cannot write the store ${this.file}: ${errorMessage(err)}`;
        this.reportHealth(message);
        throw new HxeError('STORE_IO', `${message}; nothing was changed`, { cause: err });
      }
      this.doc = doc;
      this.reportHealth(null);
      return doc;
    });
    this.writing = result.catch(() => undefined);
    return result;
  }

  /** The digest of `services`, computed once per change of the set (status writes reuse it). */
  private digest(services: StoreDocument['services']): string {
    if (this.digested?.services !== services) this.digested = { services, digest: servicesDigest(services) };
    return this.digested.digest;
  }

  /** Tells listeners when writes start failing and when they work again (not at every write). */
  private reportHealth(error: string | null): void {
    if (error === this.lastWriteError) return;
    this.lastWriteError = error;
    for (const listener of this.healthListeners) listener(error);
  }
}

function emptyDocument(): StoreDocument {
  return { format: STORE_FORMAT, revision: 0, services: {}, statuses: {}, syncs: {}, setAside: {} };
}
