import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import picomatch from 'picomatch';
import type { Logger } from 'pino';
import { errorMessage } from '../core/errors.js';
import type { ServiceRecord, WatchSpec } from '../core/types.js';
import type { EventLog } from '../events/event-log.js';
import type { Store } from '../store/store.js';

interface ActiveWatch {
  key: string;
  watcher: FSWatcher;
  timer: NodeJS.Timeout | null;
}

/**
 * A service's own `watch { paths, ignore, debounce }` (PM2's --watch):
 * changes to its files restart it, debounced. Distinct from manifest sync.
 * Follows the store: watches start, change and stop with the specs.
 */
export class ServiceWatchers {
  private readonly active = new Map<string, ActiveWatch>();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly store: Store,
    private readonly restart: (name: string, reason: string) => Promise<unknown>,
    private readonly events: EventLog,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.unsubscribe = this.store.watch((change) => change.names.forEach((name) => this.refresh(name)));
    for (const record of this.store.list()) this.refresh(record.metadata.name);
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all([...this.active.keys()].map((name) => this.stopWatching(name)));
  }

  private refresh(name: string): void {
    const record = this.store.get(name);
    const spec = record?.spec.watch ?? null;
    const key = spec ? JSON.stringify(spec) : '';
    const current = this.active.get(name);
    if (current?.key === key) return;
    void this.stopWatching(name);
    if (record && spec) this.startWatching(record, spec, key);
  }

  private startWatching(record: ServiceRecord, spec: WatchSpec, key: string): void {
    const name = record.metadata.name;
    const isIgnored = ignoreMatcher(spec.ignore);
    const watcher = watch(spec.paths, {
      ignoreInitial: true,
      ignored: (file) => isIgnored(file),
      awaitWriteFinish: { stabilityThreshold: 100, pollInterval: 25 },
    });
    const entry: ActiveWatch = { key, watcher, timer: null };
    watcher.on('all', (event, file) => {
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = setTimeout(() => {
        entry.timer = null;
        void this.restart(name, `${event} ${file}`).catch((err: unknown) =>
          this.logger.warn({ service: name, action: 'watch', err: errorMessage(err) }, 'restart on file change failed'));
      }, spec.debounce);
    });
    // Changes made before the first scan ends are part of it and restart nothing: say when watching begins.
    watcher.on('ready', () => {
      if (this.active.get(name) !== entry) return;
      this.events.record({ service: name, type: 'Watching', message: `watching ${spec.paths.join(', ')} for changes` });
    });
    watcher.on('error', (err) => this.logger.warn({ service: name, action: 'watch', err: errorMessage(err) }, 'watch error'));
    this.active.set(name, entry);
  }

  private async stopWatching(name: string): Promise<void> {
    const entry = this.active.get(name);
    if (!entry) return;
    this.active.delete(name);
    if (entry.timer) clearTimeout(entry.timer);
    await entry.watcher.close();
  }
}

/** `ignore` entries are globs matched against the whole path and the file's name (`node_modules`, `*.log`, `**\/tmp/**`). */
function ignoreMatcher(patterns: string[]): (file: string) => boolean {
  if (patterns.length === 0) return () => false;
  const match = picomatch(patterns, { dot: true });
  return (file) => match(file) || match(path.basename(file)) || file.split(path.sep).some((segment) => match(segment));
}
