/**
 * The concerns around one instance's runner, one small hook each (Nomad's
 * task runner hooks): the runner computes the status from its machine's
 * snapshot and hands it to every hook; adding a concern adds a hook, never
 * a branch in the runner.
 */
import type { Logger } from 'pino';
import type { ProcessExit, ProcessRuntime } from '../core/ports.js';
import type { InstanceStatus } from '../core/types.js';
import type { EventLog } from '../events/event-log.js';
import type { Store } from '../store/store.js';

/** What a hook is told of its runner at each snapshot. */
export interface RunnerView {
  readonly name: string;
  readonly generation: number;
  readonly logger: Logger;
}

export interface RunnerHook<R extends RunnerView = RunnerView> {
  /** The process changed (before the snapshot that shows it): `pid` is the new one, null for none. */
  pid?(runner: R, pid: number | null, previous: number | null): void;
  /** Every snapshot, with the status it makes (deduplicate as needed). */
  snapshot?(runner: R, status: InstanceStatus): void;
  /** The state changed (`from` is '' for the first snapshot). */
  transition?(runner: R, from: string, status: InstanceStatus): void;
}

/** A runner that takes its process's exit. */
export interface ExitTarget extends RunnerView {
  exited(exit: ProcessExit): void;
}

/**
 * Process exits to the runner of each process: one subscription to the
 * runtime for all runners, and one index of pids, kept by its hook.
 */
export class ExitRouter {
  private readonly byPid = new Map<number, ExitTarget>();

  /** Keeps the index: every runner's process, by pid. */
  readonly hook: RunnerHook<ExitTarget> = {
    pid: (runner, pid, previous) => {
      if (previous) this.byPid.delete(previous);
      if (pid) this.byPid.set(pid, runner);
    },
  };

  /** Delivers the runtime's exits from now on; returns the unsubscribe. */
  listen(runtime: Pick<ProcessRuntime, 'onExit'>): () => void {
    return runtime.onExit((exit) => this.byPid.get(exit.pid)?.exited(exit));
  }
}

/** Writes the status to the store when it changed (its time of update aside). */
export function statusWriterHook(store: Store): RunnerHook {
  let last = '';
  return {
    snapshot(runner, status) {
      const key = JSON.stringify({ ...status, updatedAt: '' });
      if (key === last) return;
      last = key;
      store.setStatus(runner.name, status);
    },
  };
}

/** Records each state change as an event and an info line of the agent's log. */
export function transitionRecorderHook(events: EventLog): RunnerHook {
  return {
    transition(runner, from, status) {
      const type = status.state.charAt(0).toUpperCase() + status.state.slice(1);
      const message = status.message || status.state;
      events.record({ service: runner.name, type, state: status.state, generation: runner.generation, message });
      runner.logger.info({ state: status.state, from: from || undefined, pid: status.pid ?? undefined, generation: runner.generation }, message);
    },
  };
}
