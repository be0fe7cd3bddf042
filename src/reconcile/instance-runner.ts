import type { Logger } from 'pino';
import { createActor, type Actor } from 'xstate';
import type { EventLog } from '../events/event-log.js';
import { restartNonceOf, startNonceOf } from '../core/instances.js';
import type { ProcessExit, ProcessRuntime, Prober } from '../core/ports.js';
import type { InstanceStatus, LifecycleState, ServiceRecord, ServiceSpec } from '../core/types.js';
import { instanceMachine, statusOf, type InstanceConfig } from '../lifecycle/machine.js';
import type { InstancePorts } from '../lifecycle/types.js';
import type { Store } from '../store/store.js';
import type { ObservedInstance } from './plan.js';
import { statusWriterHook, transitionRecorderHook, type RunnerHook } from './runner-hooks.js';

/** What the planner says an instance waits for (ServicePlan's `waiting` and `stopHeld`). */
export interface Waiting {
  message: string;
  /** Live, its stop held until its dependents stop: the message shows over its state's. */
  stopHeld: boolean;
}

export interface InstanceOptions {
  name: string;
  service: string;
  index: number;
  record: ServiceRecord;
  runtime: ProcessRuntime;
  prober: Prober;
  store: Store;
  events: EventLog;
  logger: Logger;
  /** The owner's hooks (the pid index, the reconcile trigger), after the runner's own (status writer, transition recorder). */
  hooks: RunnerHook<InstanceRunner>[];
  /** The status the store had for this instance (after an agent restart). */
  restored?: InstanceStatus | null;
  /**
   * With a restored pid: true when that process is alive and really the one
   * recorded (adopted as it runs); false when it is gone (treated as an exit,
   * handled by the restart policy).
   */
  adopt?: boolean;
}

const NO_CONTEXT = { cwd: null, env: {} };

/** The machine's config, taken from a spec. */
export function configOf(spec: ServiceSpec): InstanceConfig {
  return { policy: spec.restart_policy, backoff: spec.backoff, crashloop: spec.crashloop, health: spec.health_check };
}

/**
 * One instance's runner (Nomad's task runner): its lifecycle machine, wired to the real
 * runtime and prober, and the status it writes to the store. The machine's
 * snapshot is the single truth for the status.
 */
export class InstanceRunner {
  /** Changes only by `rename` (index 0, scaling between 1 and more instances). */
  name: string;
  readonly service: string;
  readonly index: number;
  private spec: ServiceSpec;
  /** The generation the instance runs (or will run at its next start). */
  generation: number;
  private restartNonce: number;
  private startNonce: number;
  /** What the planner says the instance waits for (see setWaiting). */
  private waiting: Waiting = { message: '', stopHeld: false };
  /** Adopted from an older generation: the spec it runs is unknown until the restart the planner then asks. */
  private unknownSpec: boolean;
  /** A failure the agent found in the process up, until the planner's `fail` (or the process changes). */
  private failure: { pid: number; reason: string } | null = null;
  private lastState = '';
  /** The status writer, the transition recorder (runner-hooks.ts), then the owner's. */
  private readonly runnerHooks: RunnerHook<InstanceRunner>[];
  private pid: number | null = null;
  /** The state and readiness of the last snapshot. */
  private current: { state: LifecycleState; ready: boolean } = { state: 'pending', ready: false };
  private readonly actor: Actor<typeof instanceMachine>;
  /** The agent's log, as `logger.child({ service: name })`. */
  logger: Logger;
  /** The recorded process died while no agent watched: deliver its exit once attached. */
  private readonly staleExit: boolean;

  constructor(private readonly options: InstanceOptions) {
    this.name = options.name;
    this.service = options.service;
    this.index = options.index;
    this.logger = options.logger;
    this.runnerHooks = [statusWriterHook(options.store), transitionRecorderHook(options.events), ...options.hooks];
    this.spec = options.record.spec;
    const restored = options.restored ?? null;
    const adopted = restored?.pid != null;
    this.staleExit = adopted && !options.adopt;
    this.generation = adopted ? restored.observedGeneration : options.record.metadata.generation;
    this.unknownSpec = adopted && this.generation !== options.record.metadata.generation;
    this.restartNonce = restartNonceOf(options.record, options.index);
    this.startNonce = startNonceOf(options.record, options.index);
    this.actor = createActor(instanceMachine, {
      input: {
        instance: this.name,
        ports: this.ports(),
        config: configOf(this.spec),
        restarts: restored?.restarts ?? 0,
        settled: restored && (restored.state === 'completed' || restored.state === 'failed') && !adopted
          ? { state: restored.state, exitCode: restored.exitCode, signal: restored.signal, message: restored.message }
          : null,
        adopted: adopted
          ? { pid: restored.pid!, pidStartTime: restored.pidStartTime, pidBootId: restored.pidBootId, pidCommand: restored.pidCommand, startedAt: restored.startedAt ?? new Date().toISOString(), restarts: restored.restarts }
          : null,
      },
    });
  }

  attach(): void {
    this.actor.subscribe(() => this.onSnapshot());
    this.actor.start();
    this.onSnapshot();
    if (this.staleExit && this.pid) this.exited({ pid: this.pid, code: null, signal: null });
  }

  /** Stops supervising; the process, if any, keeps running (for the next agent). */
  detach(): void {
    this.actor.stop();
    if (this.pid) for (const hook of this.runnerHooks) hook.pid?.(this, null, this.pid);
  }

  /** Goes on under a new name: same process and machine; its status moves with it (logs: the caller). */
  rename(to: string): void {
    const from = this.name;
    const status = this.options.store.getStatus(from);
    this.name = to;
    // New name first: whenever the store is flushed, the process has a status.
    if (status) this.options.store.setStatus(to, status);
    this.options.store.setStatus(from, null);
    this.logger = this.logger.child({ service: to });
    this.options.events.record({ service: to, type: 'Renamed', generation: this.generation, message: `renamed from ${from}; same process` });
  }

  /** What the planner sees; cheap (the state is cached at each snapshot, not recomputed). */
  observed(): ObservedInstance {
    return {
      name: this.name, service: this.service, index: this.index, state: this.current.state, ready: this.current.ready,
      generation: this.generation, spec: this.spec, restartNonce: this.restartNonce, startNonce: this.startNonce, unknownSpec: this.unknownSpec,
      failureReported: this.failure !== null,
    };
  }

  start(record: ServiceRecord | undefined): void {
    if (record) this.take(record);
    this.actor.send({ type: 'START' });
  }

  stop(): void {
    this.actor.send({ type: 'STOP' });
  }

  restart(record: ServiceRecord): void {
    this.take(record);
    this.actor.send({ type: 'RESTART', config: configOf(record.spec) });
  }

  /** A restart whose start waits for a later `start` (dependencies not ready): stop, then pending. */
  hold(record: ServiceRecord): void {
    this.take(record);
    this.actor.send({ type: 'HOLD', config: configOf(record.spec) });
  }

  /**
   * Reports that process `pid` failed (`reason`): the planner then asks
   * `fail`. False unless it is the process up and not reported already.
   */
  reportFailure(pid: number, reason: string): boolean {
    if (this.failure?.pid === pid || !this.actor.getSnapshot().can({ type: 'FAIL', pid, reason })) return false;
    this.failure = { pid, reason };
    return true;
  }

  /** Stops the reported process as failed, to be restarted as after a crash (the machine ignores a process gone since). */
  fail(): void {
    const failure = this.failure;
    this.failure = null;
    if (failure) this.actor.send({ type: 'FAIL', ...failure });
  }

  update(record: ServiceRecord): void {
    this.take(record);
    this.actor.send({ type: 'UPDATE_CONFIG', config: configOf(record.spec) });
    this.onSnapshot();
  }

  exited(exit: ProcessExit): void {
    this.actor.send({ type: 'EXIT', pid: exit.pid, code: exit.code, signal: exit.signal });
  }

  /** What the instance waits for (its status message while pending, or while its stop is held). */
  setWaiting(waiting: Waiting): void {
    if (waiting.message === this.waiting.message && waiting.stopHeld === this.waiting.stopHeld) return;
    this.waiting = waiting;
    this.onSnapshot();
  }

  private take(record: ServiceRecord): void {
    this.spec = record.spec;
    this.generation = record.metadata.generation;
    this.restartNonce = restartNonceOf(record, this.index);
    this.startNonce = startNonceOf(record, this.index);
    this.unknownSpec = false;
  }

  /** The machine's I/O, always with the current spec. */
  private ports(): InstancePorts {
    const { runtime, prober } = this.options;
    const request = () => ({ instance: this.name, service: this.service, index: this.index, spec: this.spec });
    return {
      spawn: () => runtime.spawn(request()),
      stop: (pid) => runtime.stop(pid, this.spec.stop_signal, this.spec.stop_timeout),
      // An exec check runs in the process's own directory and environment; the others need neither.
      probe: async (check) => prober.probe(check, check.type === 'exec' ? await runtime.runContext(request()) : NO_CONTEXT),
    };
  }

  private onSnapshot(): void {
    const status = this.status();
    this.current = { state: status.state, ready: status.ready };
    if (status.pid !== this.pid) {
      for (const hook of this.runnerHooks) hook.pid?.(this, status.pid, this.pid);
      this.pid = status.pid;
      if (this.failure?.pid !== status.pid) this.failure = null;
    }
    for (const hook of this.runnerHooks) hook.snapshot?.(this, status);
    if (status.state !== this.lastState) {
      const from = this.lastState;
      this.lastState = status.state;
      for (const hook of this.runnerHooks) hook.transition?.(this, from, status);
    }
  }

  private status(): InstanceStatus {
    const status = statusOf(this.actor.getSnapshot());
    const message = status.state === 'pending' || this.waiting.stopHeld ? this.waiting.message || status.message : status.message;
    return { ...status, message, observedGeneration: this.generation, updatedAt: new Date().toISOString() };
  }
}
