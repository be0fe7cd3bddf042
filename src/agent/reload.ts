/**
 * Hot reload of the agent's configuration: on a change of its --config
 * files (chokidar), SIGHUP or `hxe agent reload`, the files are read again;
 * a configuration that loads is applied live where it can be (reload-plan.ts),
 * the rest waits for a restart and `hxe agent status` says so; one that
 * does not load is refused, with its file:line errors as an event and in
 * the status, and the running configuration stays.
 */
import { promises as fs } from 'node:fs';
import type https from 'node:https';
import { watch, type FSWatcher } from 'chokidar';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AgentConfig } from '../config/load-config.js';
import { planReload } from '../config/reload-plan.js';
import { errorMessage } from '../core/errors.js';
import type { GitPoller, GitSync } from '../sync/git-poller.js';
import type { SyncManager } from '../sync/sync-manager.js';
import type { EventLog } from '../events/event-log.js';
import type { LiveAlerts } from './live-alerts.js';
import type { AgentMetrics } from '../metrics/agent-metrics.js';

/** What `hxe agent status` says of the configuration. */
export interface ConfigStatus {
  files: string[];
  loadedAt: string;
  /** The last refused reload, until one succeeds. */
  lastError: { at: string; message: string } | null;
  /** Fields changed in the files that the running agent has not taken: they need a restart. */
  restartNeeded: string[];
}

export interface ReloadResult {
  applied: string[];
  restartNeeded: string[];
  error?: string;
}

export interface ReloadDeps {
  paths: string[];
  load: (paths: string[]) => Promise<AgentConfig>;
  logger: Logger;
  /** --log-level was given: it wins over the file's. */
  logLevelFixed: boolean;
  events: EventLog;
  metrics: AgentMetrics;
  alerts: LiveAlerts;
  syncs: SyncManager;
  git: GitPoller;
  tcpApi: FastifyInstance | null;
}

const DEBOUNCE_MS = 300;

export class ConfigReloader {
  private current: AgentConfig;
  private readonly started: AgentConfig;
  private status: ConfigStatus;
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(config: AgentConfig, private readonly deps: ReloadDeps) {
    this.current = config;
    this.started = config;
    this.status = { files: config.files, loadedAt: new Date().toISOString(), lastError: null, restartNeeded: [] };
  }

  /** The configuration in effect (what the TCP API's hooks read). */
  get config(): AgentConfig {
    return this.current;
  }

  configStatus(): ConfigStatus {
    return this.status;
  }

  /** Watches the --config files and directories; a change reloads after a short debounce. */
  watch(): void {
    if (this.deps.paths.length === 0) return;
    this.watcher = watch(this.deps.paths, { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 150, pollInterval: 25 } });
    this.watcher.on('all', () => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.reload('file changed'), DEBOUNCE_MS);
      this.timer.unref();
    });
    // A change made before the watcher's first scan ends fires nothing: compare once it ends.
    this.watcher.once('ready', () => void this.catchUp());
  }

  private async catchUp(): Promise<void> {
    const next = await this.deps.load(this.deps.paths).catch(() => null);
    if (!next || JSON.stringify(next) !== JSON.stringify(this.current)) await this.reload('file changed');
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.watcher?.close();
  }

  /** Reads the files again and applies what can be applied; one reload at a time. */
  reload(reason: string): Promise<ReloadResult> {
    const run = this.queue.then(() => this.reloadNow(reason));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async reloadNow(reason: string): Promise<ReloadResult> {
    let next: AgentConfig;
    try {
      if (this.deps.paths.length === 0) throw new Error('the agent was started without --config: nothing to reload');
      next = await this.deps.load(this.deps.paths);
      await this.reloadCertificates(next);
    } catch (err) {
      return this.refuse(reason, errorMessage(err));
    }
    const { live } = planReload(this.current, next);
    const previous = this.current;
    this.current = next;
    const problems: string[] = [];
    for (const apply of [() => this.applyLogLevel(next), () => this.deps.metrics.reconfigure(next.agent.metrics),
      () => this.applyAlerts(previous, next), () => this.applySyncs(previous, next)]) {
      try {
        await apply();
      } catch (err) {
        problems.push(errorMessage(err));
      }
    }
    const restartNeeded = planReload(this.started, next).restart;
    this.status = { files: next.files, loadedAt: new Date().toISOString(), lastError: null, restartNeeded };
    const message = `configuration reloaded (${reason}): ${live.length ? `applied ${live.join(', ')}` : 'nothing to apply'}` +
      `${restartNeeded.length ? `; needs a restart: ${restartNeeded.join(', ')}` : ''}${problems.length ? `; problems: ${problems.join('; ')}` : ''}`;
    this.deps.events.record({ service: '', type: 'ConfigReloaded', message });
    this.deps.logger.info({ action: 'reload', reason, applied: live, restartNeeded }, 'configuration reloaded');
    return { applied: live, restartNeeded };
  }

  private refuse(reason: string, message: string): ReloadResult {
    this.status = { ...this.status, lastError: { at: new Date().toISOString(), message } };
    this.deps.events.record({ service: '', type: 'ConfigRejected', message: `configuration not reloaded (${reason}), the running one stays: ${message}` });
    this.deps.logger.warn({ action: 'reload', reason, err: message }, 'configuration refused; the running one stays');
    return { applied: [], restartNeeded: this.status.restartNeeded, error: message };
  }

  /** TLS files are read again at every reload (certbot renews them in place); unreadable ones refuse the reload. */
  private async reloadCertificates(next: AgentConfig): Promise<void> {
    const tls = next.server?.tls;
    const server = this.deps.tcpApi?.server as https.Server | undefined;
    if (!tls?.enabled || !this.started.server?.tls.enabled || !server || typeof server.setSecureContext !== 'function') return;
    const [key, cert] = await Promise.all([fs.readFile(tls.key_file!), fs.readFile(tls.cert_file!)]);
    server.setSecureContext({ key, cert });
  }

  private applyLogLevel(next: AgentConfig): void {
    if (!this.deps.logLevelFixed) this.deps.logger.level = next.agent.log_level;
  }

  private async applyAlerts(previous: AgentConfig, next: AgentConfig): Promise<void> {
    if (JSON.stringify(previous.agent.alerts) !== JSON.stringify(next.agent.alerts)) await this.deps.alerts.replace(next.agent.alerts);
  }

  /** Syncs the files no longer declare end; new or changed ones are registered; Git remotes are polled anew. */
  private async applySyncs(previous: AgentConfig, next: AgentConfig): Promise<void> {
    if (JSON.stringify(previous.syncs) === JSON.stringify(next.syncs)) return;
    const registered = new Set(this.deps.syncs.list().map((r) => r.path));
    for (const gone of previous.syncs.filter((s) => !next.syncs.some((n) => n.path === s.path))) {
      if (registered.has(gone.path)) await this.deps.syncs.unregister(gone.path);
    }
    this.deps.git.clear();
    await this.deps.git.start(next.syncs.flatMap((sync): GitSync[] => (sync.git ? [{ path: sync.path, git: sync.git }] : [])));
    for (const sync of next.syncs) {
      const before = previous.syncs.find((s) => s.path === sync.path);
      if (!before || before.prune !== sync.prune || before.recursive !== sync.recursive || !registered.has(sync.path)) {
        await this.deps.syncs.register(sync.path, { prune: sync.prune, recursive: sync.recursive });
      }
    }
  }
}
