import { afterEach, describe, expect, it, vi } from 'vitest';
import { DRAIN_SLICE_MS, RETRY_BASE_MS, RETRY_MAX_MS, WorkQueue, type ReconcileOutcome } from '../../src/reconcile/work-queue.js';

afterEach(() => vi.useRealTimers());

describe('WorkQueue outcomes', () => {
  it('collapses duplicate names and counts each outcome: done, requeue after D, error', async () => {
    vi.useFakeTimers();
    const seen: string[] = [];
    const outcomes: Record<string, ReconcileOutcome> = { a: { type: 'done' }, b: { type: 'requeue', afterMs: 500 } };
    const queue = new WorkQueue((name) => {
      seen.push(name);
      if (name === 'c') throw new Error('boom');
      return outcomes[name];
    }, { onError: () => undefined });
    queue.addAll(['a', 'b', 'a', 'c', 'b']);
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(queue.outcomes).toEqual({ done: 1, requeue: 1, error: 1 });
    await vi.advanceTimersByTimeAsync(RETRY_BASE_MS);
    expect(seen).toEqual(['a', 'b', 'c', 'c']);
    await vi.advanceTimersByTimeAsync(500 - RETRY_BASE_MS);
    expect(seen).toContain('b');
    expect(seen.filter((name) => name === 'b')).toHaveLength(2);
    queue.close();
  });

  it('doubles the retry of a name failing in a row up to RETRY_MAX_MS, and forgets it after a success', async () => {
    vi.useFakeTimers();
    let failing = true;
    const retries: number[] = [];
    const queue = new WorkQueue(() => {
      if (failing) throw new Error('boom');
    }, { onError: (_name, _err, retryInMs) => retries.push(retryInMs) });
    queue.add('web');
    for (let i = 0; i < 12; i++) await vi.advanceTimersByTimeAsync(RETRY_MAX_MS);
    expect(retries.slice(0, 4)).toEqual([RETRY_BASE_MS, RETRY_BASE_MS * 2, RETRY_BASE_MS * 4, RETRY_BASE_MS * 8]);
    expect(Math.max(...retries)).toBe(RETRY_MAX_MS);
    failing = false;
    await vi.advanceTimersByTimeAsync(RETRY_MAX_MS);
    failing = true;
    retries.length = 0;
    queue.add('web');
    await vi.advanceTimersByTimeAsync(0);
    expect(retries).toEqual([RETRY_BASE_MS]);
    queue.close();
  });
});

describe('WorkQueue drain', () => {
  it('lets the event loop run between slices of a long drain (a spawn, a reply, an API call wait no longer)', async () => {
    const names = Array.from({ length: 4 * DRAIN_SLICE_MS }, (_, i) => `s${i}`);
    const handled: string[] = [];
    let handledBeforeOtherWork = -1;
    let drained!: () => void;
    const done = new Promise<void>((resolve) => (drained = resolve));
    const queue = new WorkQueue((name) => {
      const until = performance.now() + 1; // a pass of 1 ms, as a planning of a big service set
      while (performance.now() < until);
      handled.push(name);
      if (handled.length === names.length) drained();
      return { type: 'done' };
    });
    queue.addAll(names);
    setImmediate(() => (handledBeforeOtherWork = handled.length));
    await done;
    queue.close();
    // The other work ran after about one slice of passes, not after all of them.
    expect(handledBeforeOtherWork).toBeGreaterThan(0);
    expect(handledBeforeOtherWork).toBeLessThan(names.length);
  });
});
