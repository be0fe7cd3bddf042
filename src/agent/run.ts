import { promises as fs } from 'node:fs';
import { errorMessage } from '../core/errors.js';
import { homePaths } from '../core/home.js';
import type { AgentConfig } from '../config/load-config.js';
import { defaultAgentConfig } from '../config/defaults.js';
import { createManifestLoader, type ManifestLoader } from '../sync/manifest-worker.js';
import { composeAgent } from './compose.js';
import { loadConfigPaths } from '../config/config-paths.js';
import { createAgentLog } from './logger.js';
import { acquirePidLock } from '../runtime/pid-lock.js';

export interface RunAgentOptions {
  home: string;
  logLevel?: string;
  /** Configuration files or directories (`--config`); remembered in the home for later starts. */
  configPaths?: string[];
}

/**
 * Runs the agent until it is asked to stop: takes the home's lock, reads its
 * configuration, then composes and starts everything. Resolves when the
 * agent has stopped. Rejects (before serving) when another agent runs, the
 * configuration is invalid, or the store is corrupt.
 */
export async function runAgent(options: RunAgentOptions): Promise<void> {
  const paths = homePaths(options.home);
  await fs.mkdir(paths.home, { recursive: true, mode: 0o700 });
  const releaseLock = await acquirePidLock(paths.pidFile);
  const loader = createManifestLoader({ cacheDir: paths.cache });
  const agentLog = createAgentLog(paths.agentLog, { level: options.logLevel });
  const { logger } = agentLog;
  try {
    const config = await readConfig(loader, paths.home, options.configPaths);
    if (!options.logLevel) logger.level = config.agent.log_level;
    const composed = await composeAgent(paths, config, logger, loader);
    // A supervisor must outlive its own bugs: an unhandled rejection is logged, not fatal.
    const onRejection = (reason: unknown) => logger.error({ action: 'internal', err: errorMessage(reason) }, 'unhandled rejection');
    process.on('unhandledRejection', onRejection);
    // A signal stops the agent but not the services: the next agent adopts them.
    const onSignal = () => void composed.stop(true);
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    await composed.stopped;
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    process.off('unhandledRejection', onRejection);
  } catch (err) {
    logger.error({ action: 'start', err: errorMessage(err) }, 'agent failed');
    await loader.close();
    throw err;
  } finally {
    await fs.rm(paths.socket, { force: true });
    await releaseLock();
    agentLog.close();
  }
}

/** The configuration files are parsed in the parser process: the agent never loads the HCL parser or the schema library. */
async function readConfig(loader: ManifestLoader, home: string, given: string[] | undefined): Promise<AgentConfig> {
  return (await loadConfigPaths(home, given, (paths) => loader.loadConfig(paths))) ?? defaultAgentConfig();
}
