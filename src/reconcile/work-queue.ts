import { setImmediate } from 'node:timers';

/**
 * What one reconcile of a name came to, as controller-runtime's `Result`:
 * - `done`: the name is forgotten until a trigger adds it again (its
 *   failure count is reset);
 * - `requeue`: the name is added again after `afterMs` (and forgotten as a
 *   failure).
 * A reconcile that throws is the third outcome, `error`: reported through
 * `onError`, then requeued after a backoff that doubles with each failure
 * in a row (RETRY_BASE_MS … RETRY_MAX_MS). No outcome ever stops the queue:
 * the other names keep being processed.
 */
export type ReconcileOutcome = { type: 'done' } | { type: 'requeue'; afterMs: number };

/** The first retry of a failed reconcile; each further failure in a row doubles it. */
export const RETRY_BASE_MS = 100;
/** The longest wait between two retries of a failing name. */
export const RETRY_MAX_MS = 30_000;

/**
 * How long the queue runs passes back to back before it lets the event loop
 * poll: 1,000 new services are ~1 s of passes, during which no spawn
 * started, no reply came in and the API waited.
 */
export const DRAIN_SLICE_MS = 10;

export interface WorkQueueOptions {
  /** A reconcile of `name` threw `error`; it runs again in `retryInMs`. */
  onError?: (name: string, error: unknown, retryInMs: number) => void;
}

/**
 * A work queue of service names (never events): duplicates collapse, and a
 * name is processed by one worker at a time. Level-triggered: a lost or
 * merged trigger costs nothing but latency, since each pass reads fresh state.
 */
export class WorkQueue {
  private readonly queued = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly failures = new Map<string, number>();
  private draining = false;
  private closed = false;
  /** How many reconciles came to each outcome, since the queue was made. */
  readonly outcomes = { done: 0, requeue: 0, error: 0 };

  constructor(
    private readonly process: (name: string) => void | ReconcileOutcome | Promise<void | ReconcileOutcome>,
    private readonly options: WorkQueueOptions = {},
  ) {}

  add(name: string): void {
    if (this.closed) return;
    this.queued.add(name);
    if (!this.draining) {
      this.draining = true;
      queueMicrotask(() => void this.drain());
    }
  }

  addAll(names: Iterable<string>): void {
    for (const name of names) this.add(name);
  }

  /** Re-adds `name` after `ms` (an earlier pending re-add of it is kept). */
  addAfter(name: string, ms: number): void {
    if (this.closed || this.timers.has(name)) return;
    const timer = setTimeout(() => {
      this.timers.delete(name);
      this.add(name);
    }, ms);
    timer.unref();
    this.timers.set(name, timer);
  }

  close(): void {
    this.closed = true;
    this.queued.clear();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private async drain(): Promise<void> {
    let slice = performance.now();
    try {
      while (this.queued.size > 0 && !this.closed) {
        if (performance.now() - slice > DRAIN_SLICE_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          slice = performance.now();
        }
        const [name] = this.queued;
        this.queued.delete(name);
        await this.handle(name);
      }
    } finally {
      this.draining = false;
    }
  }

  /** One reconcile and its outcome switch. */
  private async handle(name: string): Promise<void> {
    let outcome: void | ReconcileOutcome;
    try {
      outcome = await this.process(name);
    } catch (error) {
      const failures = (this.failures.get(name) ?? 0) + 1;
      this.failures.set(name, failures);
      const retryInMs = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (failures - 1));
      this.outcomes.error += 1;
      this.options.onError?.(name, error, retryInMs);
      this.addAfter(name, retryInMs);
      return;
    }
    this.failures.delete(name);
    if (outcome && outcome.type === 'requeue') {
      this.outcomes.requeue += 1;
      this.addAfter(name, outcome.afterMs);
    } else {
      this.outcomes.done += 1;
    }
  }
}
