/**
 * The lifecycle machine's input, events and context. Pure data: the machine
 * itself lives in machine.ts.
 */
import type { SpawnedProcess } from '../core/ports.js';
import type { BackoffSpec, CrashloopSpec, HealthCheckSpec, ProbeResult, RestartPolicy } from '../core/types.js';

/** The part of a service's spec that the lifecycle machine acts on (durations in ms). */
export interface InstanceConfig {
  policy: RestartPolicy;
  backoff: BackoffSpec;
  crashloop: CrashloopSpec;
  health: HealthCheckSpec | null;
}

/** A process left running by an earlier agent, taken over without spawning. */
export interface AdoptedProcess {
  pid: number;
  pidStartTime: number | null;
  pidBootId?: string | null;
  pidCommand?: string | null;
  startedAt: string;
  restarts: number;
}

/**
 * The I/O of one instance, given in the input rather than with
 * `machine.provide()`: provide() builds a new copy of the whole state tree
 * (~40 KB), and one shared machine serves every instance.
 */
export interface InstancePorts {
  /** Starts the process; rejects with an Error saying why it cannot. */
  spawn(): Promise<SpawnedProcess>;
  /** Stops the process group; resolves once nothing of it is left. */
  stop(pid: number): Promise<void>;
  /** Runs one probe. */
  probe(check: HealthCheckSpec): Promise<ProbeResult>;
}

/** What the runtime gives one machine when it creates it. */
export interface InstanceMachineInput {
  /** The instance's I/O; tests may instead provide the spawn, stop and probe actors. */
  ports?: InstancePorts | null;
  /** Instance name (`web` or `web-0`), passed to the spawn and probe actors. */
  instance: string;
  config: InstanceConfig;
  /** Milliseconds clock for uptime, the crashloop window and probe times; Date.now by default. */
  now?: () => number;
  /** Set when the process already runs: the machine starts in `running` and never spawns it. */
  adopted?: AdoptedProcess | null;
  /** The restart count carried over from an earlier agent (ignored when `adopted` gives one). */
  restarts?: number;
  /**
   * Set when an earlier agent saw this instance end for good: the machine
   * starts in that state instead of `pending`, so a finished job is not run
   * again just because the agent restarted.
   */
  settled?: SettledEnd | null;
}

/** How an instance ended for good, as an earlier agent recorded it. */
export interface SettledEnd {
  state: 'completed' | 'failed';
  exitCode: number | null;
  signal: string | null;
  message: string;
}

/** A process exit, as the runtime observed it. */
export interface ExitEvent {
  type: 'EXIT';
  pid: number;
  code: number | null;
  signal: string | null;
}

/**
 * Everything the runtime may send to a machine.
 * - `START`: desired running.
 * - `STOP`: desired stopped.
 * - `RESTART`: a manual or spec-change restart, optionally with a new config;
 *   never counted as a crash.
 * - `HOLD`: a restart whose start must wait (its dependencies are not
 *   ready): stop the process if any, then wait in `pending` for a START;
 *   like RESTART a fresh start, never counted as a crash.
 * - `FAIL`: the agent judged the process `pid` failed (`reason`: over its
 *   memory limit): stop it, and handle its end as a crash (counted, backoff,
 *   crashloop). Only the current process, while up, takes it.
 * - `EXIT`: the process `pid` exited (ignored unless it is the current one).
 * - `UPDATE_CONFIG`: take a new config in place, without restarting.
 */
export type InstanceEvent =
  | { type: 'START' }
  | { type: 'STOP' }
  | { type: 'RESTART'; config?: InstanceConfig }
  | { type: 'HOLD'; config?: InstanceConfig }
  | { type: 'FAIL'; pid: number; reason: string }
  | ExitEvent
  | { type: 'UPDATE_CONFIG'; config: InstanceConfig };

/** The machine's context. Read it through `statusOf`, which gives the stable status fields. */
export interface InstanceContext {
  instance: string;
  ports: InstancePorts | null;
  config: InstanceConfig;
  now: () => number;
  pid: number | null;
  pidStartTime: number | null;
  pidBootId: string | null;
  pidCommand: string | null;
  startedAt: string | null;
  /** `now()` when the current process was seen up: measures uptime for reset_after and start_period. */
  upSince: number | null;
  /** Automatic restarts over the instance's life (never reset). */
  restarts: number;
  /** Automatic restarts since the counters were last reset: the backoff exponent. */
  backoffStep: number;
  /** `now()` of each recent automatic restart, for the crashloop window. */
  recentRestarts: number[];
  /** Set while in the crashloop regime: why it began ("5 restarts in 2m"). */
  crashloopCause: string | null;
  exitCode: number | null;
  signal: string | null;
  /** Why the last process ended, in words ("exited with code 1"). */
  exitReason: string;
  /** The state an earlier agent left the instance in for good, restored once at creation. */
  settled: 'completed' | 'failed' | null;
  /** The last end counts as a failure (non-zero code, a signal, or killed as unhealthy). */
  exitFailed: boolean;
  /** Consecutive probe failures that count (past start_period). */
  probeFailures: number;
  lastProbe: ProbeResult | null;
  /**
   * What to do once the process is gone, asked while the machine had to
   * finish something first: stop, start again, wait in pending (HOLD), or
   * judge the end a failure (FAIL).
   */
  queued: 'stop' | 'restart' | 'hold' | 'fail' | null;
  /** Why a FAIL stops the process: the reason its end is given. */
  failure: string | null;
  /** An EXIT that arrived before the spawn settled, replayed if it turns out to be ours. */
  earlyExit: ExitEvent | null;
  /** When backoff or crashloop will start the process again (`now()` clock). */
  retryAt: number | null;
  message: string;
}
