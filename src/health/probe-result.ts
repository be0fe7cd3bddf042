/**
 * Shared by the probes: timing, the result shape, and readable reasons.
 */
import type { ProbeResult } from '../core/types.js';
import { formatDuration } from '../manifest/duration.js';

/** A running probe's clock: `finish` stamps the result with its latency. */
export interface ProbeTimer {
  finish(ok: boolean, message: string): ProbeResult;
}

/** Starts timing a probe now. */
export function startProbe(): ProbeTimer {
  const at = new Date().toISOString();
  const started = performance.now();
  return {
    finish: (ok, message) => ({ ok, at, latencyMs: Math.round(performance.now() - started), message }),
  };
}

/** `timeout after 5s` */
export function timeoutMessage(timeoutMs: number): string {
  return `timeout after ${formatDuration(timeoutMs)}`;
}

/**
 * The most telling message of a network error: fetch wraps the socket's
 * error (`connect ECONNREFUSED 127.0.0.1:3000`) in `fetch failed`, and
 * happy-eyeballs connects may fail with an AggregateError without a message.
 */
export function reasonOf(err: unknown): string {
  let current = err;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  if (current instanceof AggregateError && !current.message && current.errors[0] instanceof Error) {
    current = current.errors[0];
  }
  if (current instanceof Error) return current.message || (current as NodeJS.ErrnoException).code || current.name;
  return String(current);
}
