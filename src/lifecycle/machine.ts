/**
 * The lifecycle of one service instance, as an xstate machine. It does no
 * I/O: spawning, stopping and probing are the named actors `spawn`, `stop`
 * and `probe`, which call the instance's `ports` from the input (tests may
 * replace the actors with `instanceMachine.provide`), and
 * the runtime tells it about process exits with `EXIT` events. Time comes
 * from the actor's clock (delays) and from `input.now` (timestamps), so
 * tests drive both with a SimulatedClock. This file is the chart; the named
 * implementations are in machine-setup.ts. docs/lifecycle.md explains every
 * state and transition.
 */
import { initialContext, probeFailure, requireHealthCheck, requirePid } from './context.js';
import { machineSetup } from './machine-setup.js';

export type { InstanceConfig, InstanceEvent, InstanceMachineInput } from './types.js';
export { nextRetryAt, statusOf, type InstanceSnapshot } from './status.js';

/** START and RESTART in a state with no process: start now, with no crash history; HOLD: wait in pending for a START. */
const START_NOW = {
  START: { target: '#instance.starting', actions: 'resetCounters' },
  RESTART: { target: '#instance.starting', actions: ['takeConfig', 'resetCounters'] },
  HOLD: { target: '#instance.pending', actions: ['takeConfig', 'resetCounters'] },
} as const;

/** What an up process (running, healthy) answers to. */
const WHILE_UP = {
  EXIT: { guard: 'isCurrentProcess', target: '#instance.exited', actions: 'recordExit' },
  STOP: { target: '#instance.stopping', actions: 'queueStop' },
  RESTART: { target: '#instance.stopping', actions: ['takeConfig', 'queueRestart'] },
  HOLD: { target: '#instance.stopping', actions: ['takeConfig', 'queueHold'] },
  FAIL: { guard: 'isCurrentProcess', target: '#instance.stopping', actions: 'queueFail' },
  // A new check must pass before the instance counts as healthy again;
  // any other change is taken in place by the root handler.
  UPDATE_CONFIG: { guard: 'healthCheckChanged', target: '#instance.running', reenter: true, actions: 'takeConfig' },
} as const;

/** What a state that waits for its process to be stopped answers to. */
const WHILE_STOPPING = {
  STOP: { actions: 'queueStop' },
  START: { actions: 'queueRestart' },
  RESTART: { actions: ['takeConfig', 'queueRestart'] },
  HOLD: { actions: ['takeConfig', 'queueHold'] },
} as const;

/** Once the process is gone: start again, or wait in pending (HOLD), as fresh starts. */
const AFTER_STOP_RESTART = [
  { guard: 'restartQueued', target: 'starting', actions: ['forgetProcess', 'resetCounters'] },
  { guard: 'holdQueued', target: 'pending', actions: ['forgetProcess', 'resetCounters'] },
] as const;

/**
 * The lifecycle machine of one service instance. Create it with
 * `createActor(instanceMachine, { input: { instance, config, ports } })`
 * and read its status with `statusOf(actor.getSnapshot())`.
 */
export const instanceMachine = machineSetup.createMachine({
  id: 'instance',
  context: ({ input }) => initialContext(input),
  initial: 'pending',
  on: {
    UPDATE_CONFIG: { actions: 'takeConfig' },
    EXIT: { guard: 'isCurrentProcess', actions: 'noteExit' },
  },
  states: {
    pending: {
      entry: 'enterPending',
      always: [
        { guard: 'hasProcess', target: 'running' },
        { guard: 'settledCompleted', target: 'completed' },
        { guard: 'settledFailed', target: 'failed', actions: 'restoreFailure' },
      ],
      on: { START: START_NOW.START, RESTART: START_NOW.RESTART, HOLD: { actions: 'takeConfig' }, STOP: 'stopped' },
    },
    starting: {
      entry: 'enterStarting',
      // Never left before the spawn settles: cancelling the actor would not
      // cancel the spawn, and its process would run unsupervised. STOP and
      // RESTART wait in `queued` meanwhile.
      invoke: {
        id: 'spawn',
        src: 'spawn',
        input: ({ context }) => ({ instance: context.instance, ports: context.ports }),
        onDone: [
          { guard: 'anythingQueued', target: 'stopping', actions: { type: 'recordSpawn', params: ({ event }) => event.output } },
          { target: 'running', actions: [{ type: 'recordSpawn', params: ({ event }) => event.output }, 'replayEarlyExit'] },
        ],
        onError: [
          { guard: 'restartQueued', target: 'starting', reenter: true },
          { guard: 'holdQueued', target: 'pending' },
          { guard: 'stopQueued', target: 'stopped' },
          { target: 'failed', actions: { type: 'failSpawn', params: ({ event }) => ({ error: event.error }) } },
        ],
      },
      on: {
        EXIT: { actions: 'stashEarlyExit' },
        STOP: { actions: 'queueStop' },
        START: { actions: 'unqueueStop' },
        RESTART: { actions: ['takeConfig', 'queueRestart'] },
        HOLD: { actions: ['takeConfig', 'queueHold'] },
      },
    },
    running: {
      entry: 'enterRunning',
      initial: 'entering',
      on: WHILE_UP,
      states: {
        entering: { always: [{ guard: 'hasHealthCheck', target: 'probing' }, { target: 'unmonitored' }] },
        unmonitored: {},
        probing: {
          invoke: {
            id: 'probe',
            src: 'probe',
            input: ({ context }) => ({ instance: context.instance, check: requireHealthCheck(context), ports: context.ports }),
            onDone: { target: 'judging', actions: { type: 'recordProbe', params: ({ event }) => event.output } },
            onError: {
              target: 'judging',
              actions: { type: 'recordProbe', params: ({ context, event }) => probeFailure(event.error, context.now()) },
            },
          },
        },
        judging: {
          always: [
            { guard: 'probePassed', target: '#instance.healthy' },
            { guard: 'tooManyProbeFailures', target: '#instance.unhealthy' },
            { target: 'waiting' },
          ],
        },
        waiting: { after: { probeInterval: 'probing' } },
      },
    },
    healthy: {
      entry: 'enterHealthy',
      initial: 'waiting',
      on: WHILE_UP,
      states: {
        waiting: { after: { probeInterval: 'probing' } },
        probing: {
          invoke: {
            id: 'probe',
            src: 'probe',
            input: ({ context }) => ({ instance: context.instance, check: requireHealthCheck(context), ports: context.ports }),
            onDone: { target: 'judging', actions: { type: 'recordProbe', params: ({ event }) => event.output } },
            onError: {
              target: 'judging',
              actions: { type: 'recordProbe', params: ({ context, event }) => probeFailure(event.error, context.now()) },
            },
          },
        },
        judging: {
          always: [{ guard: 'tooManyProbeFailures', target: '#instance.unhealthy' }, { target: 'waiting' }],
        },
      },
    },
    unhealthy: {
      entry: 'enterUnhealthy',
      // Its EXIT is only noted (root handler): the stop actor resolves once
      // the whole group is gone, and that is when the restart may begin.
      invoke: {
        id: 'stop',
        src: 'stop',
        input: ({ context }) => ({ pid: requirePid(context), ports: context.ports }),
        onDone: [
          ...AFTER_STOP_RESTART,
          { guard: 'stopQueued', target: 'stopped', actions: 'forgetProcess' },
          { target: 'exited', actions: 'recordHealthKill' },
        ],
        onError: { target: 'failed', actions: { type: 'failStop', params: ({ event }) => ({ error: event.error }) } },
      },
      on: { ...WHILE_STOPPING, START: { actions: 'unqueueStop' } },
    },
    // Transient: decides what an ended process leads to. Never observed in a
    // snapshot, since eventless transitions settle within one step.
    exited: {
      always: [
        { guard: 'exitedCleanly', target: 'completed' },
        { guard: 'policyNever', target: 'failed', actions: 'failNoRestart' },
        { guard: 'crashloopGivesUp', target: 'failed', actions: 'failGiveUp' },
        { guard: 'crashlooping', target: 'crashloop', actions: 'beginCrashloop' },
        { target: 'backoff' },
      ],
    },
    backoff: {
      entry: 'enterBackoff',
      always: { guard: 'restartsAtOnce', target: 'starting', actions: 'countRestart' },
      after: { backoffDelay: { target: 'starting', actions: 'countRestart' } },
      on: { RESTART: START_NOW.RESTART, HOLD: START_NOW.HOLD, STOP: 'stopped' },
    },
    crashloop: {
      entry: 'enterCrashloop',
      after: { crashloopDelay: { target: 'starting', actions: 'countRestart' } },
      on: { RESTART: START_NOW.RESTART, HOLD: START_NOW.HOLD, STOP: 'stopped' },
    },
    stopping: {
      entry: 'enterStopping',
      invoke: {
        id: 'stop',
        src: 'stop',
        input: ({ context }) => ({ pid: requirePid(context), ports: context.ports }),
        onDone: [
          ...AFTER_STOP_RESTART,
          { guard: 'failQueued', target: 'exited', actions: 'recordFailure' },
          { target: 'stopped', actions: 'forgetProcess' },
        ],
        onError: { target: 'failed', actions: { type: 'failStop', params: ({ event }) => ({ error: event.error }) } },
      },
      on: WHILE_STOPPING,
    },
    stopped: { entry: 'enterStopped', on: START_NOW },
    completed: { entry: 'enterCompleted', on: { ...START_NOW, STOP: 'stopped' } },
    failed: { on: { ...START_NOW, STOP: 'stopped' } },
  },
});
