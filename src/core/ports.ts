/**
 * The narrow ports between the reconcile loop and the outside world. The
 * real adapters live in src/runtime and src/health; tests use recording fakes.
 */
import type { HealthCheckSpec, ProbeResult, ServiceSpec } from './types.js';

export interface SpawnRequest {
  /** Instance name (`web` or `web-0`): names its log files. */
  instance: string;
  service: string;
  /** Index of the instance, set as HXE_INSTANCE. */
  index: number;
  spec: ServiceSpec;
}

export interface SpawnedProcess {
  pid: number;
  /** Start time from /proc/PID/stat (clock ticks since boot), null if unreadable. */
  pidStartTime: number | null;
  /** The host's boot id when it started (start times restart at each boot). */
  pidBootId: string | null;
  /** The command line hxe executed (argv joined by spaces). */
  pidCommand: string | null;
  startedAt: string;
}

/** What the store records of a process, to know it again after an agent restart. */
export interface ProcessIdentity {
  /** Clock ticks since boot, from /proc/PID/stat. */
  startTime: number | null;
  /** /proc/sys/kernel/random/boot_id when it started. */
  bootId: string | null;
  /** The command line hxe executed (argv joined by spaces). */
  command: string | null;
}

/**
 * A live process that carries this home's spawn marker in its environment:
 * started by an agent of this home, this one or an earlier one, or a
 * descendant of such a process (the environment is inherited).
 */
export interface MarkedProcess {
  pid: number;
  /** Its process group: a service's main process leads its own (services start detached). */
  pgid: number;
  ppid: number;
  /** Clock ticks since boot, from /proc/PID/stat. */
  startTime: number;
  /** What the store records to know it again (as for a spawn). */
  identity: ProcessIdentity;
  startedAt: string;
  /** The instance it was started for. */
  instance: string;
  /** The id of the spawn that started it: its descendants share it. */
  spawnId: string;
  /** specFingerprint of the spec it was started from. */
  spec: string;
}

export interface ProcessExit {
  pid: number;
  code: number | null;
  signal: string | null;
}

export interface ProcessRuntime {
  /** Starts the instance in its own process group; rejects with a message saying why (ENOENT, EACCES, bad cwd, user). */
  spawn(request: SpawnRequest): Promise<SpawnedProcess>;
  /** Sends `signal` to the whole group, SIGKILL to the group after `timeoutMs`; resolves when nothing of the group is left. */
  stop(pid: number, signal: string, timeoutMs: number): Promise<void>;
  /** Watches a live process that is not our child (adoption); false if it is gone or is not the recorded one. */
  adopt(pid: number, identity: ProcessIdentity): boolean;
  /**
   * The working directory and whole environment a process of the request
   * runs with (exec health checks run with the same); rejects as spawn does
   * on an unreadable env_file or an unset env:VAR.
   */
  runContext(request: SpawnRequest): Promise<ProbeContext>;
  /** Every live process of this home's spawns, the agent's own excepted; absent where the runtime marks none. */
  findMarked?(): MarkedProcess[];
  /** Called once for every exit of a spawned or adopted process. */
  onExit(listener: (exit: ProcessExit) => void): () => void;
  /** Stops watching (the processes keep running). */
  close(): void;
}

export interface ProbeContext {
  cwd: string | null;
  env: Record<string, string>;
}

export interface Prober {
  probe(check: HealthCheckSpec, context: ProbeContext): Promise<ProbeResult>;
}

/** The reconcile loop, as the agent drives it (the Controller is the real one). */
export interface ReconcileLoop {
  start(): Promise<void>;
  /**
   * Restarts one instance as failed, for a reason the agent itself found in its process `pid` (a memory
   * limit): counted, through backoff and crashloop. False if unknown, or `pid` is not its process up.
   */
  restartInstance(instance: string, reason: string, pid: number): boolean;
  /** Stops the loop; stops every service unless `keepServices`. */
  shutdown(options: { keepServices: boolean }): Promise<void>;
}
