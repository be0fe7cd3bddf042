import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from 'pino';
import type { ApplyRequest, ApplyResponse } from '../api/protocol.js';
import type { EventLog } from '../events/event-log.js';
import { errorMessage, HxeError } from '../core/errors.js';
import type { SyncRecord } from '../core/types.js';
import type { Store } from '../store/store.js';
import { hashManifests } from './content-hash.js';
import { gitHead } from './git-head.js';
import type { ManifestLoader } from './manifest-worker.js';
import { isIgnoredPath } from './watch-filter.js';

/** Changes within this window are applied together (a `git pull` touching ten files is one apply). */
export const SYNC_DEBOUNCE_MS = 300;
/** A file must keep its size this long before it is read: never half-written. */
const WRITE_SETTLE_MS = 150;

export interface SyncDeps {
  store: Store;
  loader: ManifestLoader;
  apply: (request: ApplyRequest) => Promise<ApplyResponse>;
  events: EventLog;
  logger: Logger;
  debounceMs?: number;
}

export interface SyncOptions {
  prune: boolean;
  recursive: boolean;
}

/**
 * GitOps: keeps the store equal to registered directories. Each directory
 * is its own source set; file changes are debounced into one pass; a pass
 * loads the whole directory (in the manifest worker) and applies it as one
 * set, or is refused as a whole, leaving everything running as it was.
 */
export class SyncManager {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<SyncRecord>>();
  private readonly again = new Set<string>();

  constructor(private readonly deps: SyncDeps) {}

  /** Resumes every registration: watch, and one pass to catch up with changes made while no agent ran. */
  start(): void {
    for (const record of this.deps.store.listSyncs()) {
      void this.watchPath(record).then(() => this.schedule(record.path, 0));
    }
  }

  async register(dir: string, options: SyncOptions): Promise<SyncRecord> {
    const existing = this.deps.store.listSyncs().find((r) => r.path === dir);
    const record: SyncRecord = existing
      ? { ...existing, ...options }
      : { path: dir, ...options, createdAt: new Date().toISOString(), lastApplied: null, lastError: null, declared: [] };
    await this.deps.store.setSync(dir, record);
    await this.unwatch(dir);
    await this.watchPath(record);
    this.deps.events.record({ service: '', type: 'SyncRegistered', message: `watching ${dir}${options.prune ? ' (prune)' : ''}` });
    return this.pass(dir);
  }

  /** Ends a watch; the services it applied stay. */
  async unregister(dir: string): Promise<void> {
    if (!this.deps.store.listSyncs().some((r) => r.path === dir)) throw new HxeError('NOT_FOUND', `${dir} is not synced`);
    await this.unwatch(dir);
    await this.deps.store.setSync(dir, null);
    this.deps.events.record({ service: '', type: 'SyncStopped', message: `stopped watching ${dir}` });
  }

  list(): SyncRecord[] {
    return this.deps.store.listSyncs();
  }

  async close(): Promise<void> {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.watchers.keys()].map((dir) => this.unwatch(dir)));
    await Promise.allSettled(this.running.values());
  }

  /** One pass now, or right after the one under way (never two at once for a path). */
  pass(dir: string): Promise<SyncRecord> {
    const current = this.running.get(dir);
    if (current) {
      this.again.add(dir);
      return current.then(() => this.pass(dir));
    }
    const run = this.runPass(dir).finally(() => {
      this.running.delete(dir);
      if (this.again.delete(dir)) this.schedule(dir, 0);
    });
    this.running.set(dir, run);
    return run;
  }

  /**
   * Resolves when the watcher's first scan ends. A change made during that
   * scan is part of it and fires nothing, so the pass that follows a watch
   * starts only then: no change falls between the pass and the watch.
   */
  private watchPath(record: SyncRecord): Promise<void> {
    const watcher = watch(record.path, {
      ignoreInitial: true,
      depth: record.recursive ? undefined : 0,
      ignored: (file, stats) => isIgnoredPath(file, stats, record.path),
      awaitWriteFinish: { stabilityThreshold: WRITE_SETTLE_MS, pollInterval: 25 },
    });
    watcher.on('all', () => this.schedule(record.path, this.deps.debounceMs ?? SYNC_DEBOUNCE_MS));
    watcher.on('error', (err) => this.deps.logger.warn({ action: 'sync', path: record.path, err: errorMessage(err) }, 'watch error'));
    this.watchers.set(record.path, watcher);
    return new Promise((resolve) => watcher.once('ready', () => resolve()));
  }

  private async unwatch(dir: string): Promise<void> {
    const timer = this.timers.get(dir);
    if (timer) clearTimeout(timer);
    this.timers.delete(dir);
    await this.watchers.get(dir)?.close();
    this.watchers.delete(dir);
  }

  private schedule(dir: string, delayMs: number): void {
    const previous = this.timers.get(dir);
    if (previous) clearTimeout(previous);
    const timer = setTimeout(() => {
      this.timers.delete(dir);
      void this.pass(dir).catch(() => undefined);
    }, delayMs);
    timer.unref();
    this.timers.set(dir, timer);
  }

  /** Load the directory, refuse conflicts, apply as one set; record the outcome either way. */
  private async runPass(dir: string): Promise<SyncRecord> {
    const record = this.deps.store.listSyncs().find((r) => r.path === dir);
    if (!record) throw new HxeError('NOT_FOUND', `${dir} is not synced`);
    const at = new Date().toISOString();
    try {
      const loaded = await this.deps.loader.load([dir], record.recursive);
      const names = loaded.services.map((s) => s.name);
      const [hash, commit] = await Promise.all([hashManifests(dir, loaded.files), gitHead(dir)]);
      this.refuseConflicts(dir, names);
      const response = await this.deps.apply({ source: dir, services: loaded.services, prune: record.prune, dryRun: false });
      const next: SyncRecord = {
        ...this.current(dir, record), declared: names, lastError: null,
        lastApplied: { at, hash, commit, services: names.length },
      };
      await this.deps.store.setSync(dir, next);
      if (response.applied) {
        this.deps.events.record({ service: '', type: 'Synced', message: `applied ${dir}${commit ? ` at ${commit.slice(0, 12)}` : ''}` });
      }
      this.deps.logger.info({ action: 'sync', path: dir, commit, applied: response.applied, services: names.length }, 'synced');
      return next;
    } catch (err) {
      return this.recordFailure(dir, record, at, err);
    }
  }

  /** Two synced paths naming one service: refused on both, so neither silently wins. */
  private refuseConflicts(dir: string, names: string[]): void {
    const conflicts: string[] = [];
    for (const other of this.deps.store.listSyncs()) {
      if (other.path === dir) continue;
      const owned = new Set([
        ...other.declared,
        ...this.deps.store.list().filter((r) => r.metadata.source === other.path).map((r) => r.metadata.name),
      ]);
      const shared = names.filter((name) => owned.has(name));
      if (shared.length > 0) conflicts.push(`${shared.join(', ')} also declared by synced path ${other.path}`);
      if (shared.length > 0) void this.markConflict(other, shared, dir);
    }
    if (conflicts.length > 0) throw new HxeError('CONFLICT', `service ${conflicts.join('; ')}`);
  }

  private async markConflict(other: SyncRecord, shared: string[], dir: string): Promise<void> {
    const message = `service ${shared.join(', ')} also declared by synced path ${dir}`;
    await this.deps.store.setSync(other.path, { ...other, lastError: { at: new Date().toISOString(), message } });
    this.deps.events.record({ service: '', type: 'SyncFailed', message: `${other.path}: ${message}` });
  }

  private async recordFailure(dir: string, record: SyncRecord, at: string, err: unknown): Promise<SyncRecord> {
    const message = errorMessage(err);
    const next: SyncRecord = { ...this.current(dir, record), lastError: { at, message } };
    await this.deps.store.setSync(dir, next);
    this.deps.events.record({ service: '', type: 'SyncFailed', message: `${dir}: refused, nothing applied: ${message}` });
    this.deps.logger.warn({ action: 'sync', path: dir, err: message }, 'sync refused');
    return next;
  }

  /** The registration as stored now (options may have changed during the pass). */
  private current(dir: string, fallback: SyncRecord): SyncRecord {
    return this.deps.store.listSyncs().find((r) => r.path === dir) ?? fallback;
  }
}
