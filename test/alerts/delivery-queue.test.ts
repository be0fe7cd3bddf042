import { describe, expect, it } from 'vitest';
import { buildNotification } from '../../src/alerts/aggregate.js';
import { DeliveryQueue, retryDelay } from '../../src/alerts/delivery-queue.js';
import type { Alert, Notification, Notifier } from '../../src/alerts/types.js';

const alert: Alert = {
  key: 'failed/web', rule: 'failed', type: 'failed', severity: 'critical', instance: 'web',
  state: 'firing', startsAt: '2025-01-01T00:00:00.000Z', summary: 'failed: exited with code 1',
};
const notification = (): Notification => buildNotification([alert], 'test-host');

function recordingLogger() {
  const lines: { level: string; obj: Record<string, unknown>; msg?: string }[] = [];
  return {
    lines,
    warn: (obj: object, msg?: string) => void lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
    info: (obj: object, msg?: string) => void lines.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
  };
}

const FAST_RETRY = { attempts: 4, initial: 5, max: 20 };

describe('retryDelay', () => {
  it('doubles from initial up to max', () => {
    const retry = { attempts: 10, initial: 1_000, max: 60_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => retryDelay(retry, attempt))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
  });
});

describe('DeliveryQueue', () => {
  it('retries a failing notifier until it succeeds', async () => {
    let calls = 0;
    const delivered: Notification[] = [];
    const notifier: Notifier = {
      name: 'flaky',
      send: async (n) => {
        if (++calls < 3) throw new Error(`failure ${calls}`);
        delivered.push(n);
      },
    };
    const logger = recordingLogger();
    const queue = new DeliveryQueue({ notifier, retry: FAST_RETRY, maxSize: 10, logger });
    const sent = notification();
    queue.push(sent);
    await expect.poll(() => delivered, { timeout: 10_000 }).toEqual([sent]);
    expect(calls).toBe(3);
    expect(logger.lines.map((line) => [line.level, line.msg, line.obj.attempt])).toEqual([
      ['warn', 'alert delivery failed: retrying', 1],
      ['warn', 'alert delivery failed: retrying', 2],
      ['info', 'alert delivered after retrying', 3],
    ]);
  });

  it('gives up after the configured attempts and goes on with the next notification', async () => {
    const attempts: string[] = [];
    const notifier: Notifier = {
      name: 'picky',
      send: async (n) => {
        attempts.push(n.id);
        if (n.id === first.id) throw new Error('refused');
      },
    };
    const logger = recordingLogger();
    const queue = new DeliveryQueue({ notifier, retry: FAST_RETRY, maxSize: 10, logger });
    const first = notification();
    const second = notification();
    queue.push(first);
    queue.push(second);
    await expect.poll(() => attempts.length, { timeout: 10_000 }).toBe(5);
    expect(attempts).toEqual([first.id, first.id, first.id, first.id, second.id]);
    expect(logger.lines).toContainEqual(expect.objectContaining({ msg: 'alert delivery failed: notification dropped', obj: expect.objectContaining({ attempt: 4, err: 'refused' }) }));
  });

  it('drops the oldest notification when full, with a warning', async () => {
    const answers: (() => void)[] = [];
    const sent: string[] = [];
    const notifier: Notifier = {
      name: 'slow',
      send: (n) => new Promise<void>((resolve) => void answers.push(() => {
        sent.push(n.id);
        resolve();
      })),
    };
    const logger = recordingLogger();
    const queue = new DeliveryQueue({ notifier, retry: FAST_RETRY, maxSize: 2, logger });
    const [inFlight, a, b, c] = [notification(), notification(), notification(), notification()];
    for (const n of [inFlight, a, b, c]) queue.push(n);
    expect(logger.lines).toEqual([expect.objectContaining({ msg: 'alert queue full: oldest notification dropped', obj: expect.objectContaining({ notification: a.id }) })]);
    while (sent.length < 3) {
      await expect.poll(() => answers.length).toBeGreaterThan(0);
      answers.shift()?.();
    }
    expect(sent).toEqual([inFlight.id, b.id, c.id]);
  });

  it('closes within its bound when the notifier never answers, and drops what is left', async () => {
    const notifier: Notifier = { name: 'black-hole', send: (_n, signal) => new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(new Error('aborted')))) };
    const logger = recordingLogger();
    const queue = new DeliveryQueue({ notifier, retry: FAST_RETRY, maxSize: 10, logger });
    queue.push(notification());
    queue.push(notification());
    // A bound far below the test's timeout: close() must not wait for the notifier.
    await queue.close(100);
    expect(logger.lines).toContainEqual(expect.objectContaining({ msg: 'alert delivery stopped: notifications dropped', obj: expect.objectContaining({ dropped: 2 }) }));
    queue.push(notification());
    expect(logger.lines.at(-1)?.msg).toBe('alert notification dropped: delivery is stopped');
  });

  it('cuts a backoff wait short on close and tries once more', async () => {
    let calls = 0;
    const notifier: Notifier = { name: 'down', send: async () => { calls++; throw new Error('down'); } };
    const queue = new DeliveryQueue({ notifier, retry: { attempts: 5, initial: 3_600_000, max: 3_600_000 }, maxSize: 10, logger: recordingLogger() });
    queue.push(notification());
    await expect.poll(() => calls).toBe(1);
    await queue.close(10_000);
    expect(calls).toBe(2);
  });
});
