import { promises as fs } from 'node:fs';
import { homePaths } from '../core/home.js';
import { errorMessage } from '../core/errors.js';
import { LowdbStore } from '../store/lowdb-store.js';
import { createApiServer, listenOnSocket } from '../api/server.js';
import { Agent } from './agent.js';
import { EventLog } from './event-log.js';
import { acquirePidLock } from './pid-lock.js';
import { createAgentLogger } from './logger.js';
import { createSupervisor } from './supervisor.js';
import { createManifestLoader } from '../sync/manifest-worker.js';
import { SyncManager } from '../sync/sync-manager.js';
import { ServiceWatchers } from '../sync/service-watchers.js';

export interface RunAgentOptions {
  home: string;
  logLevel?: string;
}

/**
 * Runs the agent until it is asked to stop: takes the home's lock, opens the
 * store, starts the reconcile loop and serves the API on the socket.
 * Resolves when the agent has stopped. Rejects (before serving) when another
 * agent runs or the store is corrupt.
 */
export async function runAgent(options: RunAgentOptions): Promise<void> {
  const paths = homePaths(options.home);
  await fs.mkdir(paths.home, { recursive: true, mode: 0o700 });
  const releaseLock = await acquirePidLock(paths.pidFile);
  const logger = createAgentLogger(paths.agentLog, options.logLevel);
  try {
    const store = await LowdbStore.open(paths.store);
    const events = new EventLog();
    const supervisor = createSupervisor({ paths, store, events, logger });
    const agent = new Agent({ paths, store, events, logger, supervisor });
    const loader = createManifestLoader({ cacheDir: paths.cache });
    const syncs = new SyncManager({ store, loader, apply: (request) => agent.apply(request), events, logger });
    const serviceWatchers = new ServiceWatchers(store, (name, reason) => agent.restart([name], `file changed: ${reason}`), logger);
    let stopping: Promise<void> | null = null;
    const stop = (keepServices: boolean) => {
      stopping ??= (async () => {
        logger.info({ action: 'shutdown', keepServices }, 'agent stopping');
        await app.close();
        await syncs.close();
        await serviceWatchers.close();
        await loader.close();
        await agent.shutdown({ keepServices });
        logger.info({ action: 'shutdown' }, 'agent stopped');
      })();
      return stopping;
    };
    const app = createApiServer(agent, { logDir: paths.logs, syncs, onStopRequested: (keep) => void stop(keep) });
    await supervisor.start();
    syncs.start();
    serviceWatchers.start();
    await listenOnSocket(app, paths.socket);
    events.record({ service: '', type: 'AgentStarted', message: `agent started (pid ${process.pid})` });
    logger.info({ action: 'start', home: paths.home, revision: store.revision }, 'agent started');
    // A signal stops the agent but not the services: the next agent adopts them.
    const onSignal = () => void stop(true);
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    await new Promise<void>((resolve) => app.server.once('close', resolve));
    await stopping;
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  } catch (err) {
    logger.error({ action: 'start', err: errorMessage(err) }, 'agent failed');
    throw err;
  } finally {
    await fs.rm(paths.socket, { force: true });
    await releaseLock();
    logger.flush();
  }
}
