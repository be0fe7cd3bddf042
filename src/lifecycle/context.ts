/**
 * Pure functions of the machine's context: its first value, and the context
 * changes that are more than one field. The machine's actions call them.
 */
import { errorMessage } from '../core/errors.js';
import type { HealthCheckSpec, ProbeResult } from '../core/types.js';
import { formatDuration } from '../manifest/duration.js';
import { describeExit, times } from './describe.js';
import { reachesCrashloop, restartsInWindow, stayedUp } from './restart-math.js';
import type { InstanceContext, InstanceMachineInput } from './types.js';

/** The first context: an adopted process is up from the start, anything else waits. */
export function initialContext(input: InstanceMachineInput): InstanceContext {
  const now = input.now ?? Date.now;
  const adopted = input.adopted ?? null;
  const settled = adopted ? null : input.settled ?? null;
  return {
    instance: input.instance,
    ports: input.ports ?? null,
    config: input.config,
    now,
    pid: adopted?.pid ?? null,
    pidStartTime: adopted?.pidStartTime ?? null,
    pidBootId: adopted?.pidBootId ?? null,
    pidCommand: adopted?.pidCommand ?? null,
    startedAt: adopted?.startedAt ?? null,
    // The injected clock need not be wall time, so an adopted process's
    // uptime counts from its adoption: conservative for reset_after.
    upSince: adopted ? now() : null,
    restarts: adopted?.restarts ?? input.restarts ?? 0,
    backoffStep: 0,
    recentRestarts: [],
    crashloopCause: null,
    exitCode: settled?.exitCode ?? null,
    signal: settled?.signal ?? null,
    exitReason: settled?.message ?? '',
    settled: settled?.state ?? null,
    exitFailed: false,
    probeFailures: 0,
    lastProbe: null,
    queued: null,
    failure: null,
    earlyExit: null,
    retryAt: null,
    message: '',
  };
}

/** How a process ended, as the machine judges it. */
export interface Ending {
  code: number | null;
  signal: string | null;
  /** Counts as a failure for the restart policy. */
  failed: boolean;
  reason: string;
}

/** The ending of a process that exited on its own. */
export function endingOfExit(code: number | null, signal: string | null): Ending {
  return { code, signal, failed: code !== 0 || signal !== null, reason: describeExit(code, signal) };
}

/**
 * The context once the current process is gone. A process that stayed up
 * for reset_after earns a fresh start: backoff from `initial` again, an
 * empty crashloop window, and the end of a crashloop regime.
 */
export function endProcess(context: InstanceContext, ending: Ending): Partial<InstanceContext> {
  const now = context.now();
  const { backoff, crashloop } = context.config;
  const fresh = stayedUp(context.upSince, now, backoff);
  return {
    ...goneProcess(),
    exitCode: ending.code,
    signal: ending.signal,
    exitFailed: ending.failed,
    exitReason: ending.reason,
    backoffStep: fresh ? 0 : context.backoffStep,
    recentRestarts: fresh ? [] : restartsInWindow(context.recentRestarts, now, crashloop),
    crashloopCause: fresh ? null : context.crashloopCause,
  };
}

/** The process fields once there is no process. */
export function goneProcess(): Partial<InstanceContext> {
  return { pid: null, pidStartTime: null, pidBootId: null, pidCommand: null, startedAt: null, upSince: null };
}

/** The context after an automatic restart begins. */
export function countRestart(context: InstanceContext): Partial<InstanceContext> {
  const now = context.now();
  return {
    restarts: context.restarts + 1,
    backoffStep: context.backoffStep + 1,
    recentRestarts: [...restartsInWindow(context.recentRestarts, now, context.config.crashloop), now],
  };
}

/** In the crashloop regime already, or about to enter it. */
export function isCrashlooping(context: InstanceContext): boolean {
  return context.crashloopCause !== null
    || reachesCrashloop(context.recentRestarts.length, context.config.crashloop);
}

/** Why the crashloop regime began: `5 restarts in 2m`. */
export function crashloopCause(context: InstanceContext): string {
  if (context.crashloopCause !== null) return context.crashloopCause;
  return `${context.recentRestarts.length} restarts in ${formatDuration(context.config.crashloop.window)}`;
}

/**
 * The context after one probe. A failure counts towards `retries` only once
 * start_period has passed since the process came up.
 */
export function recordProbe(context: InstanceContext, result: ProbeResult): Partial<InstanceContext> {
  const health = requireHealthCheck(context);
  if (result.ok) return { lastProbe: result, probeFailures: 0, message: 'healthy' };
  const uptime = context.now() - (context.upSince ?? context.now());
  if (uptime < health.start_period) {
    return { lastProbe: result, message: `health check failing in its start period: ${result.message}` };
  }
  const probeFailures = context.probeFailures + 1;
  const message = `health check failed ${probeFailures} of ${health.retries}: ${result.message}`;
  return { lastProbe: result, probeFailures, message };
}

/** A probe actor that rejected instead of resolving: a failed probe. */
export function probeFailure(error: unknown, now: number): ProbeResult {
  return { ok: false, at: new Date(now).toISOString(), latencyMs: 0, message: errorMessage(error) };
}

/** Why an unhealthy instance is being restarted. */
export function unhealthyReason(context: InstanceContext): string {
  return `health check failed ${times(context.probeFailures)}: ${context.lastProbe?.message ?? ''}`;
}

/** The health check of a state that probes; such states are only entered with one. */
export function requireHealthCheck(context: InstanceContext): HealthCheckSpec {
  if (context.config.health === null) throw new Error(`${context.instance}: probing without a health check`);
  return context.config.health;
}

/** The pid of a state that stops the process; such states are only entered with one. */
export function requirePid(context: InstanceContext): number {
  // Never default: a pid of 0 would signal the agent's own process group.
  if (context.pid === null) throw new Error(`${context.instance}: stopping without a process`);
  return context.pid;
}

/** True when two health checks are the same check. */
export function sameHealthCheck(a: HealthCheckSpec | null, b: HealthCheckSpec | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
