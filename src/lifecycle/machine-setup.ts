/**
 * The implementations the lifecycle machine refers to by name: its actors
 * (placeholders until the runtime provides them), delays, guards and
 * actions. The chart that says when each one applies is machine.ts.
 */
import { assign, enqueueActions, fromPromise, setup } from 'xstate';
import { errorMessage } from '../core/errors.js';
import type { SpawnedProcess } from '../core/ports.js';
import type { HealthCheckSpec, ProbeResult } from '../core/types.js';
import {
  countRestart, crashloopCause, endingOfExit, endProcess, goneProcess, isCrashlooping,
  recordProbe, requireHealthCheck, sameHealthCheck, unhealthyReason,
} from './context.js';
import { formatDuration } from '../manifest/duration.js';
import { backoffDelay } from './restart-math.js';
import type { InstanceConfig, InstanceContext, InstanceEvent, InstanceMachineInput, InstancePorts } from './types.js';

/** The instance's ports, or an error: neither ports in the input nor the actors provided. */
function portsOf(input: { ports: InstancePorts | null }, name: string): InstancePorts {
  if (!input.ports) throw new Error(`lifecycle actor "${name}": no ports in the input, and the actor was not provided`);
  return input.ports;
}

/** The delay of the current backoff, from the restarts since the last reset. */
function currentBackoff(context: InstanceContext): number {
  return backoffDelay(context.config.backoff, context.backoffStep);
}

/** The config an UPDATE_CONFIG, RESTART or HOLD event brings, or the current one. */
function configOf(context: InstanceContext, event: InstanceEvent): InstanceConfig {
  if (event.type === 'UPDATE_CONFIG' || event.type === 'RESTART' || event.type === 'HOLD') return event.config ?? context.config;
  return context.config;
}

/** Why the process is being stopped, in words. */
function stoppingMessage(context: InstanceContext): string {
  if (context.queued === 'fail') return `${context.failure ?? 'failed'}: stopping the process`;
  return context.queued === 'restart' || context.queued === 'hold' ? 'restarting: stopping the process' : 'stopping';
}

/** The named actors, delays, guards and actions of the lifecycle machine. */
export const machineSetup = setup({
  types: {
    context: {} as InstanceContext,
    events: {} as InstanceEvent,
    input: {} as InstanceMachineInput,
  },
  actors: {
    /** Starts the process; rejects with an Error saying why it cannot. */
    spawn: fromPromise<SpawnedProcess, { instance: string; ports: InstancePorts | null }>(({ input }) => portsOf(input, 'spawn').spawn()),
    /** Stops the process group; resolves once nothing of it is left. */
    stop: fromPromise<void, { pid: number; ports: InstancePorts | null }>(({ input }) => portsOf(input, 'stop').stop(input.pid)),
    /** Runs one probe. */
    probe: fromPromise<ProbeResult, { instance: string; check: HealthCheckSpec; ports: InstancePorts | null }>(
      ({ input }) => portsOf(input, 'probe').probe(input.check)),
  },
  delays: {
    backoffDelay: ({ context }) => currentBackoff(context),
    crashloopDelay: ({ context }) => context.config.backoff.max,
    probeInterval: ({ context }) => requireHealthCheck(context).interval,
  },
  guards: {
    /** Pending with a pid: the process was adopted. */
    hasProcess: ({ context }) => context.pid !== null,
    settledCompleted: ({ context }) => context.settled === 'completed',
    settledFailed: ({ context }) => context.settled === 'failed',
    /** The exit or failure is the current process's: one of an earlier process is stale. */
    isCurrentProcess: ({ context, event }) => (event.type === 'EXIT' || event.type === 'FAIL') && event.pid === context.pid,
    hasHealthCheck: ({ context }) => context.config.health !== null,
    healthCheckChanged: ({ context, event }) =>
      event.type === 'UPDATE_CONFIG' && !sameHealthCheck(event.config.health, context.config.health),
    probePassed: ({ context }) => context.lastProbe?.ok === true,
    tooManyProbeFailures: ({ context }) =>
      context.lastProbe?.ok === false && context.probeFailures >= Math.max(1, requireHealthCheck(context).retries),
    stopQueued: ({ context }) => context.queued === 'stop',
    restartQueued: ({ context }) => context.queued === 'restart',
    holdQueued: ({ context }) => context.queued === 'hold',
    failQueued: ({ context }) => context.queued === 'fail',
    anythingQueued: ({ context }) => context.queued !== null,
    exitedCleanly: ({ context }) => !context.exitFailed && context.config.policy !== 'always',
    policyNever: ({ context }) => context.config.policy === 'never',
    crashloopGivesUp: ({ context }) => isCrashlooping(context) && context.config.crashloop.give_up,
    crashlooping: ({ context }) => isCrashlooping(context),
    restartsAtOnce: ({ context }) => currentBackoff(context) === 0,
  },
  actions: {
    takeConfig: assign({ config: ({ context, event }) => configOf(context, event) }),
    /** A START or RESTART asked by someone is a fresh start: no crash history. */
    resetCounters: assign({ backoffStep: 0, recentRestarts: [], crashloopCause: null }),
    countRestart: assign(({ context }) => countRestart(context)),
    queueStop: assign({ queued: 'stop' as const }),
    queueRestart: assign({ queued: 'restart' as const }),
    queueHold: assign({ queued: 'hold' as const }),
    queueFail: assign({ queued: 'fail' as const, failure: ({ event }) => (event.type === 'FAIL' ? event.reason : null) }),
    unqueueStop: assign({ queued: ({ context }) => (context.queued === 'stop' ? null : context.queued) }),
    stashEarlyExit: assign({ earlyExit: ({ event }) => (event.type === 'EXIT' ? event : null) }),
    recordSpawn: assign(({ context }, process: SpawnedProcess) => ({
      pid: process.pid,
      pidStartTime: process.pidStartTime,
      pidBootId: process.pidBootId,
      pidCommand: process.pidCommand,
      startedAt: process.startedAt,
      upSince: context.now(),
      exitCode: null,
      signal: null,
      lastProbe: null,
    })),
    /** An exit that beat the spawn's result is replayed once the pid is known. */
    replayEarlyExit: enqueueActions(({ context, enqueue }) => {
      if (context.earlyExit !== null && context.earlyExit.pid === context.pid) enqueue.raise(context.earlyExit);
    }),
    recordExit: assign(({ context, event }) =>
      event.type === 'EXIT' ? endProcess(context, endingOfExit(event.code, event.signal)) : {}),
    /** An exit while the machine waits for something else: noted, no transition. */
    noteExit: assign(({ event }) =>
      event.type === 'EXIT' ? { ...goneProcess(), exitCode: event.code, signal: event.signal } : {}),
    /** The unhealthy process is gone: a failure whatever its exit code. */
    recordHealthKill: assign(({ context }) => endProcess(context, {
      code: context.exitCode, signal: context.signal, failed: true, reason: unhealthyReason(context),
    })),
    /** A process stopped by FAIL is gone: a failure whatever its exit code, for the reason FAIL gave. */
    recordFailure: assign(({ context }) => endProcess(context, {
      code: context.exitCode, signal: context.signal, failed: true, reason: context.failure ?? 'stopped as failed',
    })),
    forgetProcess: assign(() => goneProcess()),
    recordProbe: assign(({ context }, result: ProbeResult) => recordProbe(context, result)),
    beginCrashloop: assign({ crashloopCause: ({ context }) => crashloopCause(context) }),
    failSpawn: assign((_, { error }: { error: unknown }) => ({ message: `cannot start: ${errorMessage(error)}` })),
    failStop: assign((_, { error }: { error: unknown }) => ({ message: `cannot stop: ${errorMessage(error)}` })),
    failNoRestart: assign({ message: ({ context }) => `${context.exitReason} (restart_policy never)` }),
    failGiveUp: assign({
      message: ({ context }) => `crashloop: ${crashloopCause(context)}; giving up (${context.exitReason})`,
    }),
    enterPending: assign({ message: 'waiting to start' }),
    restoreFailure: assign({ message: ({ context }) => context.exitReason, settled: null }),
    enterStarting: assign({ message: 'starting', queued: null, failure: null, earlyExit: null, retryAt: null }),
    enterRunning: assign({
      probeFailures: 0,
      message: ({ context }) => (context.config.health ? 'running; waiting for the health check' : 'running'),
    }),
    enterHealthy: assign({ message: 'healthy' }),
    enterUnhealthy: assign({ message: ({ context }) => unhealthyReason(context) }),
    enterBackoff: assign(({ context }) => {
      const delay = currentBackoff(context);
      return { retryAt: context.now() + delay, message: `${context.exitReason}; restarting in ${formatDuration(delay)}` };
    }),
    enterCrashloop: assign(({ context }) => {
      const delay = context.config.backoff.max;
      const message = `crashloop: ${crashloopCause(context)}; next try in ${formatDuration(delay)} (${context.exitReason})`;
      return { retryAt: context.now() + delay, message };
    }),
    enterStopping: assign({ message: ({ context }) => stoppingMessage(context) }),
    enterStopped: assign({ message: 'stopped', queued: null }),
    enterCompleted: assign({ message: ({ context }) => context.exitReason, settled: null }),
  },
});
