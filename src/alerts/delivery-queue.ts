/**
 * Delivery to one notifier: a bounded queue worked one notification at a
 * time (receivers see them in order), each retried with exponential
 * backoff. Nothing here throws or blocks the caller: a receiver that is
 * down or slow only fills this queue, and past its bound the oldest
 * notification is dropped with a warning.
 */
import { errorMessage } from '../core/errors.js';
import type { RetryConfig } from './config.js';
import type { AlertLogger, Notification, Notifier } from './types.js';

/** The delay before retry number `attempt` (1 = the first retry): `initial × 2^(attempt-1)`, capped at `max`. */
export function retryDelay(retry: RetryConfig, attempt: number): number {
  return Math.min(retry.initial * 2 ** (attempt - 1), retry.max);
}

export interface DeliveryQueueOptions {
  notifier: Notifier;
  retry: RetryConfig;
  maxSize: number;
  logger: AlertLogger;
}

export class DeliveryQueue {
  private readonly items: Notification[] = [];
  private worker: Promise<void> | null = null;
  /** Closing: each notification left gets one more try, without backoff. */
  private closing = false;
  /** Aborted when close() gives up waiting: in-flight sends are cancelled where the notifier allows. */
  private readonly abort = new AbortController();
  private wake: (() => void) | null = null;

  constructor(private readonly options: DeliveryQueueOptions) {}

  /** Notifications waiting or being sent. */
  get size(): number {
    return this.items.length + (this.worker ? 1 : 0);
  }

  /** Queues a notification and returns at once. */
  push(notification: Notification): void {
    const { notifier, maxSize, logger } = this.options;
    if (this.abort.signal.aborted) {
      logger.warn({ action: 'alert-delivery', notifier: notifier.name, notification: notification.id }, 'alert notification dropped: delivery is stopped');
      return;
    }
    if (this.items.length >= maxSize) {
      const dropped = this.items.shift();
      logger.warn({ action: 'alert-delivery', notifier: notifier.name, notification: dropped?.id, queued: maxSize }, 'alert queue full: oldest notification dropped');
    }
    this.items.push(notification);
    this.worker ??= this.work();
  }

  /**
   * Tries what is queued once more (no backoff) and waits for it up to
   * `timeoutMs`; then aborts what is still in flight and drops the rest.
   */
  async close(timeoutMs: number): Promise<void> {
    this.closing = true;
    this.wake?.();
    if (this.worker) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([this.worker, timeout]);
      clearTimeout(timer);
    }
    if (this.size > 0) {
      this.options.logger.warn({ action: 'alert-delivery', notifier: this.options.notifier.name, dropped: this.size }, 'alert delivery stopped: notifications dropped');
    }
    this.items.length = 0;
    this.abort.abort();
  }

  private async work(): Promise<void> {
    try {
      for (let next = this.items.shift(); next && !this.abort.signal.aborted; next = this.items.shift()) {
        await this.deliver(next);
      }
    } finally {
      // No await between the loop's last check and here: a push() after this starts a new worker.
      this.worker = null;
    }
  }

  private async deliver(notification: Notification): Promise<void> {
    const { notifier, retry, logger } = this.options;
    const fields = { action: 'alert-delivery', notifier: notifier.name, notification: notification.id };
    for (let attempt = 1; ; attempt++) {
      try {
        // then(): a notifier that throws synchronously is a failed attempt, not a crash.
        await Promise.resolve().then(() => notifier.send(notification, this.abort.signal));
        if (attempt > 1) logger.info({ ...fields, attempt }, 'alert delivered after retrying');
        return;
      } catch (err) {
        if (this.abort.signal.aborted) return;
        if (attempt >= retry.attempts || this.closing) {
          logger.warn({ ...fields, attempt, err: errorMessage(err) }, 'alert delivery failed: notification dropped');
          return;
        }
        const delay = retryDelay(retry, attempt);
        logger.warn({ ...fields, attempt, err: errorMessage(err), retryInMs: delay }, 'alert delivery failed: retrying');
        await this.sleep(delay);
      }
    }
  }

  /** A backoff wait that close() cuts short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.wake = done;
    });
  }
}
