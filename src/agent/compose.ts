import type { Server } from 'node:http';
import path from 'node:path';
import { AUDIT_FILE, AuditLog } from '../audit/audit-log.js';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createApiServer, createTcpApiServer, listenOnSocket } from '../api/server.js';
import type { AgentConfig } from '../config/load-config.js';
import { errorMessage, HxeError } from '../core/errors.js';
import type { HomePaths } from '../core/home.js';
import type { DesiredService } from '../core/types.js';
import type { ManifestLoader } from '../sync/manifest-worker.js';
import { ServiceWatchers } from '../sync/service-watchers.js';
import { SyncManager } from '../sync/sync-manager.js';
import { LowdbStore } from '../store/lowdb-store.js';
import { Agent } from '../api/agent-operations.js';
import { EventLog } from '../events/event-log.js';
import { joinFleetIfConfigured } from './fleet.js';
import { LiveAlerts } from './live-alerts.js';
import { ConfigReloader, type ReloadResult } from './reload.js';
import { setUpCgroups } from './cgroups.js';
import { startLogRotation } from '../logs/log-rotation.js';
import { AgentMetrics } from '../metrics/agent-metrics.js';
import { parseListenAddress } from '../config/listen-address.js';
import { listenPrometheus, PrometheusExporter } from '../metrics/prometheus.js';
import { createReconcileLoop } from './reconcile-loop.js';
import { GitPoller, type GitSync } from '../sync/git-poller.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { stampSecrets } from '../manifest/secret-refs.js';

export interface ComposedAgent {
  agent: Agent;
  /** Stops serving, watching and supervising; the services too unless `keepServices`. */
  stop(keepServices: boolean): Promise<void>;
  /** Reads the configuration files again (SIGHUP). */
  reload(reason: string): Promise<ReloadResult>;
  /** Resolves once the agent has stopped (by API request or signal). */
  stopped: Promise<void>;
}

/**
 * The composition root: store, reconcile loop, GitOps, API servers. Starts
 * them in order and returns a handle that stops them in reverse.
 */
export interface ComposeExtras {
  secrets?: SecretStore;
  /** The --config paths (given or remembered), watched for hot reload. */
  configPaths?: string[];
  /** --log-level was given: a reload keeps it. */
  logLevelFixed?: boolean;
}

export async function composeAgent(paths: HomePaths, config: AgentConfig, logger: Logger, loader: ManifestLoader, extras: ComposeExtras = {}): Promise<ComposedAgent> {
  const { secrets } = extras;
  const store = await LowdbStore.open(paths.store);
  const events = EventLog.open(paths.events);
  for (const entry of store.listSetAside()) {
    // Kept in the store's setAside section; `hxe delete NAME` forgets it.
    logger.warn({ action: 'store', service: entry.name, reason: entry.reason }, 'stored record is invalid: set aside, not run');
    events.record({ service: entry.name, type: 'SetAside', message: `stored record is invalid, set aside (not run): ${entry.reason}` });
  }
  const cgroups = await setUpCgroups(paths.home, config.agent.cgroups, events, logger);
  const reconcileLoop = createReconcileLoop({ paths, store, events, logger, cgroups, secrets: secrets && ((name) => secrets.valueOf(name)) });
  const stamp = secrets && ((services: DesiredService[]) => stampSecrets(services, (name) => secrets.versionOf(name)));
  const agent = new Agent({ name: config.agent.name, paths, store, events, logger, reconcileLoop, stampSecrets: stamp });
  const syncs = new SyncManager({ store, loader, apply: (request) => agent.apply(request), events, logger });
  const gitPoller = new GitPoller({ pass: (dir) => syncs.pass(dir), events, logger });
  const watchers = new ServiceWatchers(store, (name, reason) => agent.restart([name], `file changed: ${reason}`), events, logger);
  const metrics = new AgentMetrics(config.agent.metrics, { store, reconcileLoop, events, logger });
  agent.useMetrics(metrics);
  const prometheus = new PrometheusExporter(() => agent.list(), metrics);
  const rotation = startLogRotation(paths.logs, { store, events, logger });
  const alerts = await LiveAlerts.start(config.agent.alerts, { agentName: config.agent.name, store, metrics, logger });
  const servers: FastifyInstance[] = [];
  let metricsServer: Server | null = null;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((resolve) => { resolveStopped = resolve; });
  let stopping: Promise<void> | null = null;
  let leaveFleet = async () => undefined as void;
  const stop = (keepServices: boolean) => {
    stopping ??= (async () => {
      logger.info({ action: 'shutdown', keepServices }, 'agent stopping');
      await Promise.all(servers.map((server) => server.close()));
      await audit.flush();
      await new Promise((resolve) => (metricsServer ? metricsServer.close(resolve) : resolve(null)));
      await leaveFleet();
      metrics.stop();
      await rotation.stop();
      await alerts.stop();
      await reloader.close();
      gitPoller.stop();
      await syncs.close();
      await watchers.close();
      await loader.close();
      await agent.shutdown({ keepServices });
      await cgroups?.close();
      logger.info({ action: 'shutdown' }, 'agent stopped');
      events.close();
      resolveStopped();
    })();
    return stopping;
  };
  const audit = new AuditLog(path.join(paths.home, AUDIT_FILE), (err) => logger.warn({ action: 'audit', err: errorMessage(err) }, 'audit trail write failed'));
  const endpoint = config.agent.metrics.enabled ? config.agent.metrics.prometheus_endpoint : '';
  const apiOptions = {
    logDir: paths.logs, auth: config.server?.auth ?? null, audit, syncs, secrets, metrics, prometheus, prometheusPath: endpoint.startsWith('/') ? endpoint : '', alerts: alerts.engine,
    onStopRequested: (keep: boolean) => void stop(keep),
    reload: (reason: string): Promise<ReloadResult> => reloader.reload(reason),
  };

  // Before any service starts: an address in use fails the start with nothing to undo.
  const metricsAddress = endpoint.startsWith('/') ? null : parseListenAddress(endpoint);
  if (metricsAddress) {
    metricsServer = await listenPrometheus(prometheus, metricsAddress).catch(async (err: unknown) => {
      await alerts.stop();
      throw new HxeError('BAD_USAGE', `agent.metrics.prometheus_endpoint ${JSON.stringify(endpoint)}: cannot listen: ${errorMessage(err)}`);
    });
    logger.info({ action: 'start', metrics: `${metricsAddress.host}:${metricsAddress.port}` }, 'Prometheus metrics served on their own address');
  }
  // Certificates are read now, so that a missing one fails the start before any service starts.
  const tcpApi: FastifyInstance | null = config.server ? await createTcpApiServer(agent, apiOptions, config.server, () => reloader.config.server ?? config.server!).catch(async (err: unknown) => {
    await new Promise((resolve) => (metricsServer ? metricsServer.close(resolve) : resolve(null)));
    await alerts.stop();
    throw new HxeError('BAD_USAGE', `server: ${errorMessage(err)}`);
  }) : null;
  leaveFleet = await joinFleetIfConfigured(config, { agent, store, events, paths, logger });
  // Created once the TCP API exists (it reloads its certificates); the API's hooks read the configuration through it.
  const reloader: ConfigReloader = new ConfigReloader(config, {
    paths: extras.configPaths ?? [], load: (files) => loader.loadConfig(files), logger, logLevelFixed: Boolean(extras.logLevelFixed),
    events, metrics, alerts, syncs, git: gitPoller, tcpApi,
  });
  agent.useConfigStatus(() => reloader.configStatus());
  await reconcileLoop.start();
  // After adoption claimed the cgroups of running instances: the others' are leftovers.
  await cgroups?.sweep();
  syncs.start();
  // Remotes first: a sync's first pass reads the clone.
  await gitPoller.start(config.syncs.flatMap((sync): GitSync[] => (sync.git ? [{ path: sync.path, git: sync.git }] : [])));
  await registerConfiguredSyncs(syncs, config, logger);
  watchers.start();
  metrics.start();
  reloader.watch();
  const socketApi = createApiServer(agent, apiOptions);
  if (tcpApi && config.server) {
    // Before the socket answers: a port in use is what `hxe agent start` reports.
    await tcpApi.listen({ host: config.server.host, port: config.server.port });
    servers.push(tcpApi);
    agent.setServerUrl(serverUrl(tcpApi, config.server.tls.enabled));
  }
  await listenOnSocket(socketApi, paths.socket);
  servers.push(socketApi);
  events.record({ service: '', type: 'AgentStarted', message: `agent started (pid ${process.pid})` });
  logger.info({ action: 'start', home: paths.home, revision: store.revision, server: agent.status().server }, 'agent started');
  return { agent, stop, stopped, reload: (reason) => reloader.reload(reason) };
}

/** `sync {}` blocks of agent.hcl: registered (or updated) at start, so a host boots straight into GitOps. */
async function registerConfiguredSyncs(syncs: SyncManager, config: AgentConfig, logger: Logger): Promise<void> {
  for (const sync of config.syncs) {
    const existing = syncs.list().find((record) => record.path === sync.path);
    if (existing && existing.prune === sync.prune && existing.recursive === sync.recursive) continue;
    logger.info({ action: 'sync', path: sync.path }, 'sync declared by the agent configuration');
    await syncs.register(sync.path, { prune: sync.prune, recursive: sync.recursive });
  }
}

function serverUrl(app: FastifyInstance, tls: boolean): string {
  const address = app.server.address();
  if (!address || typeof address === 'string') return '';
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${tls ? 'https' : 'http'}://${host}:${address.port}`;
}
