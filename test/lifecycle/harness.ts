/**
 * Drives one lifecycle machine with a SimulatedClock and fake actors whose
 * promises the test settles by hand.
 */
import { createActor, SimulatedClock } from 'xstate';
import type { SpawnedProcess } from '../../src/core/ports.js';
import type { BackoffSpec, CrashloopSpec, HealthCheckSpec, ProbeResult } from '../../src/core/types.js';
import {
  instanceMachine, nextRetryAt, statusOf, type InstanceConfig, type InstanceEvent, type InstanceMachineInput,
} from '../../src/lifecycle/machine.js';
import type { InstancePorts } from '../../src/lifecycle/types.js';

interface Pending<TInput, TOutput> {
  input: TInput;
  resolve(value: TOutput): void;
  reject(error: Error): void;
}

export const BACKOFF: BackoffSpec = { initial: 1_000, multiplier: 2, max: 300_000, reset_after: 60_000 };
export const CRASHLOOP: CrashloopSpec = { max_restarts: 100, window: 120_000, give_up: false };

/** A config with defaults that never crashloop; override what a test is about. */
export function config(overrides: Partial<InstanceConfig> = {}): InstanceConfig {
  return { policy: 'always', backoff: BACKOFF, crashloop: CRASHLOOP, health: null, ...overrides };
}

/** An http health check probed every 10 s, unhealthy after 3 failures. */
export function healthCheck(overrides: Partial<HealthCheckSpec> = {}): HealthCheckSpec {
  return {
    type: 'http', url: 'http://localhost:3000/health', host: null, port: null, command: null,
    interval: 10_000, timeout: 5_000, retries: 3, start_period: 0, ...overrides,
  };
}

/** Lets promise callbacks (fromPromise results) reach the actor. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function pending<TInput, TOutput>(list: Pending<TInput, TOutput>[], input: TInput): Promise<TOutput> {
  return new Promise<TOutput>((resolve, reject) => list.push({ input, resolve, reject }));
}

function last<T>(list: T[], what: string): T {
  const item = list.at(-1);
  if (!item) throw new Error(`no ${what} was started`);
  return item;
}

export type Harness = ReturnType<typeof startMachine>;

/** Creates and starts an actor of the machine with fake actors. */
export function startMachine(input: Partial<InstanceMachineInput> = {}) {
  const clock = new SimulatedClock();
  const spawns: Pending<{ instance: string }, SpawnedProcess>[] = [];
  const stops: Pending<{ pid: number }, void>[] = [];
  const probes: Pending<{ instance: string; check: HealthCheckSpec }, ProbeResult>[] = [];
  const ports: InstancePorts = {
    spawn: () => pending(spawns, { instance: 'web' }),
    stop: (pid) => pending(stops, { pid }),
    probe: (check) => pending(probes, { instance: 'web', check }),
  };
  const actor = createActor(instanceMachine, {
    clock,
    input: { instance: 'web', config: config(), now: () => clock.now(), ports, ...input },
  });
  actor.start();

  const harness = {
    actor, clock, spawns, stops, probes,
    status: () => statusOf(actor.getSnapshot()),
    state: () => statusOf(actor.getSnapshot()).state,
    nextRetryAt: () => nextRetryAt(actor.getSnapshot()),
    send: (event: InstanceEvent) => actor.send(event),
    /** Advances simulated time, then lets resulting promises settle. */
    async advance(ms: number): Promise<void> {
      clock.increment(ms);
      await flush();
    },
    /** Settles the latest spawn with a process. */
    async spawned(pid: number): Promise<void> {
      last(spawns, 'spawn').resolve({ pid, pidStartTime: pid * 10, pidBootId: 'boot', pidCommand: 'cmd', startedAt: `started-${pid}` });
      await flush();
    },
    async spawnFails(message: string): Promise<void> {
      last(spawns, 'spawn').reject(new Error(message));
      await flush();
    },
    async stopped(): Promise<void> {
      last(stops, 'stop').resolve();
      await flush();
    },
    async probe(ok: boolean, message = ok ? 'HTTP 200' : 'HTTP 503'): Promise<void> {
      last(probes, 'probe').resolve({ ok, at: new Date(clock.now()).toISOString(), latencyMs: 1, message });
      await flush();
    },
    exit(pid: number, code: number | null, signal: string | null = null): void {
      actor.send({ type: 'EXIT', pid, code, signal });
    },
    /** START, then a spawn that gives `pid`. */
    async run(pid: number): Promise<void> {
      actor.send({ type: 'START' });
      await harness.spawned(pid);
    },
    /** The current process exits with `code`, then the backoff delay passes and the next spawn gives `nextPid`. */
    async crash(pid: number, delay: number, nextPid: number): Promise<void> {
      harness.exit(pid, 1);
      await harness.advance(delay);
      await harness.spawned(nextPid);
    },
  };
  return harness;
}
