/**
 * The concerns around one instance's runner, one small hook each (Nomad's
 * task runner hooks): the runner computes the status from its machine's
 * snapshot and hands it to every hook; adding a concern adds a hook, never
 * a branch in the runner.
 */
import type { Logger } from 'pino';
import type { InstanceStatus } from '../core/types.js';
import type { EventLog } from '../events/event-log.js';
import type { Store } from '../store/store.js';

/** What a hook is told of its runner at each snapshot. */
export interface RunnerView {
  readonly name: string;
  readonly generation: number;
  readonly logger: Logger;
}

export interface RunnerHook {
  /** Every snapshot, with the status it makes (deduplicate as needed). */
  snapshot?(runner: RunnerView, status: InstanceStatus): void;
  /** The state changed (`from` is '' for the first snapshot). */
  transition?(runner: RunnerView, from: string, status: InstanceStatus): void;
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
