/**
 * The status of an instance, read from its machine's snapshot: the single
 * truth for `status.state` and the fields that go with it.
 */
import type { SnapshotFrom } from 'xstate';
import { LIFECYCLE_STATES, type InstanceStatus, type LifecycleState } from '../core/types.js';
import type { instanceMachine } from './machine.js';

/** A snapshot of the lifecycle machine (or of one made with `.provide()`). */
export type InstanceSnapshot = SnapshotFrom<typeof instanceMachine>;


/** The lifecycle state: the top-level state node of the snapshot's value. */
function stateOf(snapshot: InstanceSnapshot): LifecycleState | null {
  const value = snapshot.value;
  const name = typeof value === 'string' ? value : Object.keys(value)[0];
  return (LIFECYCLE_STATES as readonly string[]).includes(name) ? (name as LifecycleState) : null;
}

/**
 * The status of the instance whose machine has this snapshot: every field
 * of the stored status but the two its runner adds (the generation it runs,
 * the time of writing). `ready` is
 * true when running without a health check, or healthy. A machine that
 * crashed (an actor or action threw where none should) reads as `failed`
 * with the error as its message, rather than throwing at the caller.
 */
export function statusOf(snapshot: InstanceSnapshot): Omit<InstanceStatus, 'observedGeneration' | 'updatedAt'> {
  const context = snapshot.context;
  const state = snapshot.status === 'error' ? null : stateOf(snapshot);
  const common = {
    pid: context.pid,
    pidStartTime: context.pidStartTime,
    pidBootId: context.pidBootId,
    pidCommand: context.pidCommand,
    restarts: context.restarts,
    exitCode: context.exitCode,
    signal: context.signal,
    startedAt: context.startedAt,
    lastProbe: context.lastProbe,
  };
  if (state === null) {
    return { ...common, state: 'failed', ready: false, message: `lifecycle error: ${String(snapshot.error ?? snapshot.value)}` };
  }
  const ready = state === 'healthy' || (state === 'running' && context.config.health === null);
  return { ...common, state, ready, message: context.message };
}

/**
 * When a waiting instance (backoff, crashloop) will be started again, in
 * the machine's `now()` clock (ms); null in every other state.
 */
export function nextRetryAt(snapshot: InstanceSnapshot): number | null {
  const state = stateOf(snapshot);
  return state === 'backoff' || state === 'crashloop' ? snapshot.context.retryAt : null;
}
