/**
 * The sampler's timer (ticker.ts) on a fake clock: pure timing logic, so
 * "no other run" is checked after moving the clock far past any interval.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTicker } from '../../src/metrics/ticker.js';

const INTERVAL = 100;

/** A job whose runs finish only when the test says so. */
function controlledJob() {
  const pending: (() => void)[] = [];
  const job = {
    runs: 0,
    run: () => new Promise<number>((resolve) => {
      job.runs += 1;
      pending.push(() => resolve(job.runs));
    }),
    finish: () => pending.shift()?.(),
  };
  return job;
}

beforeEach(() => { vi.useFakeTimers(); });
afterEach(() => { vi.useRealTimers(); });

describe('createTicker', () => {
  it('runs one interval after the end of the previous run, never overlapping', async () => {
    const job = controlledJob();
    const ticker = createTicker(INTERVAL, job.run);
    ticker.start();
    await vi.advanceTimersByTimeAsync(INTERVAL - 1);
    expect(job.runs).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(job.runs).toBe(1);
    await vi.advanceTimersByTimeAsync(10 * INTERVAL); // the run is still in flight
    expect(job.runs).toBe(1);
    job.finish();
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(job.runs).toBe(2);
    ticker.stop();
  });

  it('stops: a run in flight finishes but schedules no other, and a later start ticks again', async () => {
    const job = controlledJob();
    const ticker = createTicker(INTERVAL, job.run);
    ticker.start();
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(job.runs).toBe(1);
    ticker.stop();
    job.finish();
    await vi.advanceTimersByTimeAsync(100 * INTERVAL);
    expect(job.runs).toBe(1);

    ticker.start();
    ticker.start(); // idempotent: still one timer
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(job.runs).toBe(2);
    job.finish();
    await vi.advanceTimersByTimeAsync(INTERVAL);
    expect(job.runs).toBe(3);
    job.finish();
    await vi.advanceTimersByTimeAsync(INTERVAL / 2);
    ticker.stop(); // between runs: the pending timer goes
    await vi.advanceTimersByTimeAsync(100 * INTERVAL);
    expect(job.runs).toBe(3);
  });

  it('keeps ticking after a failing run, telling onError', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const ticker = createTicker(INTERVAL, async () => {
      runs += 1;
      if (runs === 1) throw new Error('first run fails');
      return runs;
    }, (err) => errors.push(err));
    ticker.start();
    await vi.advanceTimersByTimeAsync(3 * INTERVAL);
    ticker.stop();
    expect(runs).toBe(3);
    expect(errors).toEqual([new Error('first run fails')]);
  });
});
