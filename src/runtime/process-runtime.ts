/**
 * The real ProcessRuntime: services run as detached process groups that
 * write their own log files, so they outlive the agent; the next agent
 * adopts them by pid and start time. With cgroups (home-cgroups.ts), each
 * instance also runs in a cgroup of its own, which a stop or the main
 * process's exit empties: no process of it outlives it by leaving the group.
 */
import type { ProcessRuntime, SpawnRequest } from '../core/ports.js';
import { specFingerprint } from '../core/spec-fingerprint.js';
import { createExitWatcher, type WarnLogger } from './exit-watcher.js';
import type { HomeCgroups } from './home-cgroups.js';
import { closeInheritedFds } from './inherited-fds.js';
import { homeId } from './home-id.js';
import { currentBootId, readStartTime } from './proc.js';
import { scanMarkedProcesses } from './proc-scan.js';
import { startInCgroup } from './spawn-in-cgroup.js';
import { formatMarker, newSpawnId, SPAWN_MARKER } from './spawn-marker.js';
import { environmentOf, launchSpecOf, prepareSpawn, waitForSpawn, workingDirOf, type PreparedSpawn } from './spawn-process.js';
import { stopGroup } from './stop-group.js';
import { runInSpawnTurn } from './spawn-turns.js';
import { launchProcess } from './launch.js';
import type { Launcher } from './spawn-helper.js';
import type { SecretValues } from './spawn-command.js';

export interface ProcessRuntimeOptions {
  /** Where `<instance>.out.log` and `<instance>.err.log` are appended. */
  logDir: string;
  /** The environment services start from (default: the agent's own). */
  agentEnv?: NodeJS.ProcessEnv;
  /** How often adopted processes are checked for exit (default 250 ms). */
  pollIntervalMs?: number;
  /** The home's instance cgroups; without, instances are process groups only. */
  cgroups?: HomeCgroups | null;
  logger?: WarnLogger;
  /**
   * HXE_HOME: with it, every process gets this home's spawn marker in its
   * environment (spawn-marker.ts), and findMarked finds them all.
   */
  home?: string;
  /** The values of `secret:NAME` references (the home's secrets). */
  secrets?: SecretValues;
  /**
   * What forks and execs (default: this process, inline). The agent passes
   * the spawn helper's (spawn-helper.ts): a fork from a small process is
   * cheaper, and runs beside the agent instead of blocking it.
   */
  launcher?: Launcher;
}

const launchInline: Launcher = { launch: (spec) => launchProcess(spec), close: () => undefined };

let inheritedFdsClosed = false;

/**
 * Creates the runtime. `spawn` resolves as soon as the process runs (never
 * waits for its exit) and rejects with why it could not start: command not
 * found, permission denied, missing working_dir, unreadable env_file, unset
 * env:VAR, unknown user, or a user/group without root. A cgroup that cannot
 * be created never fails a start (the instance starts without, logged).
 * `stop` stops the process group, then kills what is left in the
 * instance's cgroup; the exit of a main process that was not stopped kills
 * what is left in its cgroup too (systemd's KillMode=control-group).
 * The first runtime of a process closes the descriptors this process
 * inherited without close-on-exec, so that no child gets them (see
 * inherited-fds.ts). With `home`, each spawn carries the marker
 * (spawn-marker.ts) from its exec on, so that the next agent finds it
 * whatever moment this one dies at.
 */
export function createProcessRuntime(options: ProcessRuntimeOptions): ProcessRuntime {
  const agentEnv = options.agentEnv ?? process.env;
  const cgroups = options.cgroups ?? null;
  const launcher = options.launcher ?? launchInline;
  const home = options.home === undefined ? null : homeId(options.home);
  if (!inheritedFdsClosed) {
    inheritedFdsClosed = true;
    const fds = closeInheritedFds();
    if (fds.length > 0) options.logger?.warn({ fds }, 'closed inherited descriptors so that services do not inherit them');
  }
  // After the descriptors are closed: a helper would pass them on to every service.
  launcher.start?.();
  const watcher = createExitWatcher({ pollIntervalMs: options.pollIntervalMs, logger: options.logger });
  /** The cgroup of each spawned or adopted pid, until its exit or stop releases it. */
  const cgroupOfPid = new Map<number, string>();
  // Registered before any other listener: the release is queued before anyone can start the instance again.
  watcher.onExit(({ pid }) => {
    const path = cgroupOfPid.get(pid);
    if (path === undefined || !cgroups) return;
    cgroupOfPid.delete(pid);
    void cgroups.release(path, 'exit');
  });

  return {
    async spawn(request) {
      const prepared = marked(await prepareSpawn(request, agentEnv, options.secrets), request, home);
      const started = cgroups
        ? await startInCgroup(prepared, request.spec.resources, cgroups)
        : { launched: prepared, cgroup: null, addAfterSpawn: false };
      let pid: number;
      let releaseExit = () => {};
      try {
        // In a turn of the event loop (spawn-turns.ts): called straight from an
        // exit callback (a restart without delay), back-to-back forks starved
        // the API, logs and store writes.
        pid = await runInSpawnTurn(() => {
          const child = launcher.launch(launchSpecOf(started.launched, options.logDir));
          // Watch before the turn ends: no exit can slip by unseen.
          releaseExit = watcher.watchChild(child);
          const spawned = waitForSpawn(child, prepared.command);
          spawned.catch(() => undefined); // awaited by the caller; its 'error' may come first
          return spawned;
        });
      } catch (err) {
        releaseExit();
        if (started.cgroup) void cgroups?.release(started.cgroup.path, 'exit');
        throw err;
      }
      try {
        if (started.cgroup) {
          // Before any await: the exit listener must find it.
          cgroupOfPid.set(pid, started.cgroup.path);
          if (started.addAfterSpawn) {
            await started.cgroup.addProcess(pid).catch((err: Error) =>
              options.logger?.warn({ pid, cgroup: started.cgroup?.path, err: err.message }, 'cannot move the process into its cgroup'));
          }
        }
        // The user's command, not the wrapper's: after the exec, /proc/PID/cmdline is the program's.
        const pidCommand = [prepared.command.file, ...prepared.command.args].join(' ');
        return { pid, pidStartTime: readStartTime(pid), pidBootId: currentBootId(), pidCommand, startedAt: new Date().toISOString() };
      } finally {
        // The exit of a process that ends at once (from the spawn helper, it can be read in the same
        // turn as the pid) is told once the caller has the pid: the turn after this promise resolves.
        setImmediate(releaseExit);
      }
    },
    async stop(pid, signal, timeoutMs) {
      // Read before the stop: once the process is gone, /proc no longer says where it was.
      const path = cgroups?.cgroupOf(pid) ?? cgroupOfPid.get(pid) ?? null;
      // From now on the stop, not the exit listener, releases it (with the stop's grace period).
      cgroupOfPid.delete(pid);
      try {
        await stopGroup(pid, signal, timeoutMs, watcher.exited(pid));
      } finally {
        if (path !== null) await cgroups?.release(path, 'stop');
      }
    },
    adopt(pid, identity) {
      if (!watcher.adopt(pid, identity)) return false;
      const path = cgroups?.cgroupOf(pid) ?? null;
      if (path !== null) {
        cgroups?.claim(path);
        cgroupOfPid.set(pid, path);
      }
      return true;
    },
    async runContext(request) {
      return { cwd: workingDirOf(request.spec), env: await environmentOf(request, agentEnv, options.secrets) };
    },
    findMarked: home === null ? undefined : () => scanMarkedProcesses(home),
    onExit: (listener) => watcher.onExit(listener),
    close: () => {
      watcher.close();
      launcher.close();
    },
  };
}

/** The prepared spawn with the home's marker in its environment (unchanged without a home). */
function marked(prepared: PreparedSpawn, request: SpawnRequest, home: string | null): PreparedSpawn {
  if (home === null) return prepared;
  const marker = formatMarker({ home, instance: request.instance, spawnId: newSpawnId(), spec: specFingerprint(request.spec) });
  return { ...prepared, env: { ...prepared.env, [SPAWN_MARKER]: marker } };
}
