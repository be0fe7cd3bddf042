import { decodeAlertsConfig, type AlertsConfig } from '../../src/alerts/config.js';
import { createAlertEngine } from '../../src/alerts/engine.js';
import type { AlertEngine, AlertStatusInput, InstanceSample, Notification, Notifier } from '../../src/alerts/types.js';
import type { LifecycleState } from '../../src/core/types.js';

export const T0 = Date.parse('2025-01-01T00:00:00.000Z');
export const SECOND = 1_000;
export const MINUTE = 60_000;

/** Decodes an alerts block, failing the test on issues. */
export function alertsConfig(block?: unknown): AlertsConfig {
  const decoded = decodeAlertsConfig(block);
  if ('issues' in decoded) throw new Error(JSON.stringify(decoded.issues));
  return decoded.config;
}

/** A notifier that records what it is sent. */
export function recordingNotifier(name = 'recorder'): Notifier & { sent: Notification[] } {
  const sent: Notification[] = [];
  return { name, sent, send: async (notification) => void sent.push(notification) };
}

/** Lets queued deliveries to an instant notifier run. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface Harness {
  engine: AlertEngine;
  notifier: Notifier & { sent: Notification[] };
  /** Moves the clock on and ticks. */
  advance(ms: number): void;
  now(): number;
  status(instance: string, state: LifecycleState, extra?: Partial<AlertStatusInput>): void;
  sample(instance: string, values: Partial<InstanceSample>): void;
  /** Notifications sent so far (after letting deliveries run). */
  sent(): Promise<Notification[]>;
}

/** An engine on a manual clock with a recording notifier; `block` is the alerts block (group_wait 0 unless given). */
export function harness(block: Record<string, unknown> = {}): Harness {
  let time = T0;
  const notifier = recordingNotifier();
  const engine = createAlertEngine(alertsConfig({ group_wait: '0s', ...block }), { notifiers: [notifier], now: () => time, agent: 'test-host' });
  const restarts = new Map<string, number>();
  return {
    engine,
    notifier,
    now: () => time,
    advance(ms) {
      time += ms;
      engine.tick();
    },
    status(instance, state, extra = {}) {
      const status = { state, restarts: restarts.get(instance) ?? 0, message: state, ...extra };
      restarts.set(instance, status.restarts);
      engine.observeStatus(instance, status);
    },
    sample(instance, values) {
      engine.observeSamples([{ instance, pid: 100, at: time, cpuPercent: 0, cpuSeconds: 0, memoryBytes: 0, processes: 1, ...values }]);
    },
    async sent() {
      await settle();
      return notifier.sent;
    },
  };
}

/** `rule/instance state` of each alert of each notification, for compact assertions. */
export function transitions(notifications: Notification[]): string[][] {
  return notifications.map((n) => n.alerts.map((alert) => `${alert.key} ${alert.state}`));
}
