import { describe, expect, it } from 'vitest';
import { describeExit } from '../../src/lifecycle/describe.js';
import { formatDuration } from '../../src/manifest/duration.js';
import { backoffDelay, reachesCrashloop, restartsInWindow, stayedUp } from '../../src/lifecycle/restart-math.js';

const backoff = { initial: 1_000, multiplier: 2, max: 300_000, reset_after: 60_000 };
const crashloop = { max_restarts: 5, window: 120_000, give_up: false };

describe('backoffDelay', () => {
  it.each([[0, 1_000], [1, 2_000], [2, 4_000], [8, 256_000], [9, 300_000], [50, 300_000], [5_000, 300_000]])(
    'step %i waits %i ms', (step, delay) => expect(backoffDelay(backoff, step)).toBe(delay));

  it('stays 0 with a zero initial delay, however many steps', () => {
    expect(backoffDelay({ ...backoff, initial: 0 }, 10_000)).toBe(0);
  });

  it('rounds fractional multipliers to whole ms', () => {
    expect(backoffDelay({ ...backoff, initial: 1_000, multiplier: 1.5 }, 3)).toBe(3_375);
  });
});

describe('crashloop window', () => {
  it('keeps restarts strictly inside the window', () => {
    expect(restartsInWindow([0, 1, 60_000, 120_000], 120_000, crashloop)).toEqual([1, 60_000, 120_000]);
  });

  it('reaches crashloop at max_restarts', () => {
    expect(reachesCrashloop(4, crashloop)).toBe(false);
    expect(reachesCrashloop(5, crashloop)).toBe(true);
  });

  it('measures uptime against reset_after', () => {
    expect(stayedUp(0, 59_999, backoff)).toBe(false);
    expect(stayedUp(0, 60_000, backoff)).toBe(true);
    expect(stayedUp(null, 60_000, backoff)).toBe(false);
  });
});

describe('words', () => {
  it.each([[0, '0s'], [250, '250ms'], [1_000, '1s'], [1_500, '1.5s'], [90_000, '1m30s'], [300_000, '5m'], [3_600_000, '1h']])(
    'formats %i ms as %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it('describes exits by code or signal', () => {
    expect(describeExit(1, null)).toBe('exited with code 1');
    expect(describeExit(null, 'SIGKILL')).toBe('killed by SIGKILL');
    expect(describeExit(null, null)).toBe('exited');
  });
});
