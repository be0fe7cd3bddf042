import { promises as fs } from 'node:fs';
import { errorMessage } from '../core/errors.js';
import { homePaths } from '../core/home.js';
import type { AgentConfig } from '../config/load-config.js';
import { defaultAgentConfig } from '../config/defaults.js';
import { createManifestLoader, type ManifestLoader } from '../sync/manifest-worker.js';
import { composeAgent } from './compose.js';
import { loadConfigPaths, rememberedConfigPaths } from '../config/config-paths.js';
import path from 'node:path';
import { createAgentLog } from './logger.js';
import { acquirePidLock } from '../runtime/pid-lock.js';
import { takeSecretKey } from '../secrets/secret-key.js';
import { SecretStore } from '../secrets/secret-store.js';

export interface RunAgentOptions {
  home: string;
  logLevel?: string;
  /** Configuration files or directories (`--config`); remembered in the home for later starts. */
  configPaths?: string[];
  /** Print the log to stdout as well (the foreground `hxe agent run`). */
  console?: boolean;
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
  // Before anything is forked: no child inherits a managed key.
  const secretKey = takeSecretKey(process.env);
  const releaseLock = await acquirePidLock(paths.pidFile);
  const loader = createManifestLoader({ cacheDir: paths.cache });
  const agentLog = createAgentLog(paths.agentLog, { level: options.logLevel, console: options.console });
  const { logger } = agentLog;
  if (process.pid === 1 && !process.env.HXE_INIT) {
    logger.warn({ action: 'start' }, 'running as PID 1 without a reaper: orphaned grandchildren stay zombies (start bin/hxe itself, which reaps as PID 1, or use docker run --init)');
  }
  try {
    const config = await readConfig(loader, paths.home, options.configPaths);
    if (!options.logLevel) logger.level = config.agent.log_level;
    const configPaths = options.configPaths?.length ? options.configPaths.map((p) => path.resolve(p)) : await rememberedConfigPaths(paths.home);
    const secrets = await SecretStore.open(paths.home, secretKey);
    const composed = await composeAgent(paths, config, logger, loader, { secrets, configPaths, logLevelFixed: Boolean(options.logLevel) });
    // The agent must outlive its own bugs: an unhandled rejection is logged, not fatal.
    const onRejection = (reason: unknown) => logger.error({ action: 'internal', err: errorMessage(reason) }, 'unhandled rejection');
    process.on('unhandledRejection', onRejection);
    // A signal stops the agent but not the services: the next agent adopts them.
    const onSignal = () => void composed.stop(true);
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    // SIGHUP: read the configuration again, as daemons do.
    const onHangup = () => void composed.reload('SIGHUP');
    process.on('SIGHUP', onHangup);
    await composed.stopped;
    process.off('SIGHUP', onHangup);
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
