/**
 * The arithmetic of automatic restarts: backoff delays and the crashloop
 * window. Pure functions of the spec and a few numbers.
 */
import type { BackoffSpec, CrashloopSpec } from '../core/types.js';

/**
 * The delay before an automatic restart: `initial × multiplier^step`, capped
 * at `max`, where `step` counts the automatic restarts since the last reset
 * (0 for the first). An `initial` of 0 always restarts at once.
 */
export function backoffDelay(spec: BackoffSpec, step: number): number {
  // 0 × Infinity is NaN: a zero initial delay stays zero however many steps.
  if (spec.initial <= 0) return 0;
  return Math.round(Math.min(spec.max, spec.initial * spec.multiplier ** step));
}

/** The restart times still inside the crashloop window at `now`. */
export function restartsInWindow(times: readonly number[], now: number, spec: CrashloopSpec): number[] {
  return times.filter((time) => now - time < spec.window);
}

/** True when `count` restarts inside the window make a crashloop. */
export function reachesCrashloop(count: number, spec: CrashloopSpec): boolean {
  return count >= spec.max_restarts;
}

/** True when a process up since `upSince` has stayed up long enough to forget earlier crashes. */
export function stayedUp(upSince: number | null, now: number, spec: BackoffSpec): boolean {
  return upSince !== null && now - upSince >= spec.reset_after;
}
