/**
 * The real ProcessRuntime: services run as detached process groups that
 * write their own log files, so they outlive the agent; the next agent
 * adopts them by pid and start time.
 */
import type { ProcessRuntime } from '../core/ports.js';
import { createExitWatcher, type WarnLogger } from './exit-watcher.js';
import { closeInheritedFds } from './inherited-fds.js';
import { currentBootId, readStartTime } from './proc.js';
import { launch, prepareSpawn, waitForSpawn } from './spawn-process.js';
import { stopGroup } from './stop-group.js';

export interface ProcessRuntimeOptions {
  /** Where `<instance>.out.log` and `<instance>.err.log` are appended. */
  logDir: string;
  /** The environment services start from (default: the agent's own). */
  agentEnv?: NodeJS.ProcessEnv;
  /** How often adopted processes are checked for exit (default 250 ms). */
  pollIntervalMs?: number;
  logger?: WarnLogger;
}

let inheritedFdsClosed = false;

/**
 * Creates the runtime. `spawn` resolves as soon as the process runs (never
 * waits for its exit) and rejects with why it could not start: command not
 * found, permission denied, missing working_dir, unreadable env_file, unset
 * env:VAR, unknown user, or a user/group without root.
 * The first runtime of a process closes the descriptors this process
 * inherited without close-on-exec, so that no child gets them (see
 * inherited-fds.ts).
 */
export function createProcessRuntime(options: ProcessRuntimeOptions): ProcessRuntime {
  const agentEnv = options.agentEnv ?? process.env;
  if (!inheritedFdsClosed) {
    inheritedFdsClosed = true;
    const fds = closeInheritedFds();
    if (fds.length > 0) options.logger?.warn({ fds }, 'closed inherited descriptors so that services do not inherit them');
  }
  const watcher = createExitWatcher({ pollIntervalMs: options.pollIntervalMs, logger: options.logger });

  return {
    async spawn(request) {
      const prepared = await prepareSpawn(request, agentEnv);
      const child = launch(prepared, options.logDir);
      // Watch before the first await: no exit can slip by unseen.
      watcher.watchChild(child);
      const pid = await waitForSpawn(child, prepared.command);
      const pidCommand = [prepared.command.file, ...prepared.command.args].join(' ');
      return { pid, pidStartTime: readStartTime(pid), pidBootId: currentBootId(), pidCommand, startedAt: new Date().toISOString() };
    },
    stop: (pid, signal, timeoutMs) => stopGroup(pid, signal, timeoutMs, watcher.exited(pid)),
    adopt: (pid, identity) => watcher.adopt(pid, identity),
    onExit: (listener) => watcher.onExit(listener),
    close: () => watcher.close(),
  };
}
