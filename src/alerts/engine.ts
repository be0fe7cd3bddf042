/**
 * The alert engine: folds what the agent observes into per-instance facts,
 * checks the rules, turns conditions that start (after their `for`) and end
 * into alert transitions, aggregates them and queues one notification per
 * window on every notifier. Every entry point is synchronous and never
 * throws; delivery runs in the background (delivery-queue.ts).
 */
import os from 'node:os';
import { errorMessage } from '../core/errors.js';
import { Aggregator, buildNotification } from './aggregate.js';
import type { AlertsConfig } from './config.js';
import { DeliveryQueue } from './delivery-queue.js';
import { applySample, applyStatus, initialFacts, settleFacts, type InstanceFacts } from './facts.js';
import { compileServiceFilter, guessService } from './match.js';
import type { AlertRule } from './rule-config.js';
import { checkRule, checkStoreRule, type Condition, type StoreFault } from './rules.js';
import { HostFacts, isHostRule } from './host-rules.js';
import type { HostSample } from '../metrics/host-sampler.js';
import type { Alert, AlertEngine, AlertLogger, AlertStatusInput, InstanceSample, Notifier } from './types.js';

export interface AlertEngineDeps {
  notifiers: Notifier[];
  /** The clock (ms epoch); tests pass their own and call tick(). */
  now?: () => number;
  logger?: AlertLogger;
  /** How receivers name this agent (`agent.name`); default: the host name. */
  agent?: string;
  /** The service of an instance, for `services` filters; default: the name without a trailing `-N`. */
  serviceOf?: (instance: string) => string;
  /** How long stop() waits for deliveries in flight; default {@link DEFAULT_STOP_TIMEOUT_MS}. */
  stopTimeoutMs?: number;
}

export const DEFAULT_STOP_TIMEOUT_MS = 5_000;
/**
 * Status changes are evaluated as they come; the tick only moves time-based
 * conditions (`for`, `within`, group_wait, repeat_interval) along. Like
 * Prometheus's evaluation_interval, it need not be fine: every 5 s, or as
 * often as group_wait when that is shorter (never under 1 s). An idle agent
 * with 100 services spends most of its alerting CPU here.
 */
export function tickIntervalMs(groupWaitMs: number): number {
  return Math.min(5_000, Math.max(1_000, groupWaitMs));
}

interface CompiledRule {
  rule: AlertRule;
  applies: (instance: string) => boolean;
}

interface Firing {
  alert: Alert;
  /** Last handed to the aggregator: for `repeat_interval`. */
  sentAt: number;
}

const SILENT_LOGGER: AlertLogger = { warn: () => undefined, info: () => undefined };

/**
 * An engine for `config`. With `enabled = false` every method does nothing
 * and active() is empty.
 */
export function createAlertEngine(config: AlertsConfig, deps: AlertEngineDeps): AlertEngine {
  return config.enabled ? new Engine(config, deps) : DISABLED;
}

const DISABLED: AlertEngine = {
  observeSamples: () => undefined,
  observeStatus: () => undefined,
  observeHost: () => undefined,
  observeGone: () => undefined,
  storeError: () => undefined,
  tick: () => undefined,
  start: () => undefined,
  stop: async () => undefined,
  active: () => [],
};

class Engine implements AlertEngine {
  private readonly now: () => number;
  private readonly logger: AlertLogger;
  private readonly agent: string;
  private readonly rules: CompiledRule[];
  /** The longest `within` of the restarts rules: restart times older than it are forgotten. */
  private readonly restartWindow: number;
  private readonly facts = new Map<string, InstanceFacts>();
  /** The instance rules of each instance seen: filters are globs, worth matching once. */
  private readonly applicable = new Map<string, AlertRule[]>();
  private storeFault: StoreFault | null = null;
  private readonly hostFacts = new HostFacts();
  private readonly firing = new Map<string, Firing>();
  private readonly aggregator: Aggregator;
  private readonly queues: DeliveryQueue[];
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly config: AlertsConfig, private readonly deps: AlertEngineDeps) {
    this.now = deps.now ?? Date.now;
    this.logger = deps.logger ?? SILENT_LOGGER;
    this.agent = deps.agent ?? os.hostname();
    const serviceOf = deps.serviceOf ?? guessService;
    this.rules = config.rules.map((rule) => ({ rule, applies: compileServiceFilter(rule.services, serviceOf) }));
    this.restartWindow = Math.max(0, ...config.rules.filter((rule) => rule.type === 'restarts').map((rule) => rule.within));
    this.aggregator = new Aggregator(config.group_wait);
    this.queues = deps.notifiers.map((notifier) => new DeliveryQueue({ notifier, retry: config.retry, maxSize: config.queue_size, logger: this.logger }));
  }

  observeSamples(samples: InstanceSample[]): void {
    this.guard('samples', (now) => {
      for (const sample of samples) {
        const usageRules = this.rulesFor(sample.instance).filter((rule) => rule.type === 'memory' || rule.type === 'cpu');
        this.facts.set(sample.instance, applySample(this.factsOf(sample.instance), sample, usageRules));
        this.evaluate(sample.instance, now);
      }
    });
  }

  observeStatus(instance: string, status: AlertStatusInput): void {
    this.guard('status', (now) => {
      this.facts.set(instance, applyStatus(this.factsOf(instance), status, now));
      this.evaluate(instance, now);
    });
  }

  observeHost(sample: HostSample): void {
    this.guard('host', (now) => {
      for (const { rule } of this.rules) {
        if (!isHostRule(rule.type)) continue;
        const measured = this.hostFacts.check(rule, sample);
        for (const { instance, condition } of measured) this.update(rule, instance, condition, now);
        // A filesystem unmounted since: its alert ends.
        const still = new Set(measured.map((m) => `${rule.name}/${m.instance}`));
        for (const { alert } of [...this.firing.values()]) if (alert.rule === rule.name && !still.has(alert.key)) this.resolve(alert.key, now);
      }
    });
  }

  observeGone(instance: string): void {
    this.guard('gone', (now) => {
      this.facts.delete(instance);
      this.applicable.delete(instance);
      for (const { alert } of [...this.firing.values()]) {
        if (alert.instance === instance) this.resolve(alert.key, now);
      }
    });
  }

  storeError(message: string | null): void {
    this.guard('store', (now) => {
      this.storeFault = message === null ? null : { message, since: this.storeFault?.since ?? now };
      this.evaluateStore(now);
    });
  }

  tick(): void {
    this.guard('tick', (now) => {
      for (const [instance, facts] of this.facts) {
        this.facts.set(instance, settleFacts(facts, now, this.restartWindow));
        this.evaluate(instance, now);
      }
      this.evaluateStore(now);
    });
  }

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.tick(), tickIntervalMs(this.config.group_wait));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.stopped) return;
    // Whatever waits in the window goes out now rather than never.
    this.flush(this.now(), true);
    this.stopped = true;
    await Promise.all(this.queues.map((queue) => queue.close(this.deps.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS)));
  }

  active(): Alert[] {
    return [...this.firing.values()].map(({ alert }) => alert);
  }

  /** Runs one entry point: nothing after stop(), never an exception out, a due window flushed. */
  private guard(what: string, action: (now: number) => void): void {
    if (this.stopped) return;
    try {
      const now = this.now();
      action(now);
      this.flush(now, false);
    } catch (err) {
      this.logger.warn({ action: 'alerts', input: what, err: errorMessage(err) }, 'alert evaluation failed');
    }
  }

  private factsOf(instance: string): InstanceFacts {
    return this.facts.get(instance) ?? initialFacts();
  }

  private rulesFor(instance: string): AlertRule[] {
    let rules = this.applicable.get(instance);
    if (!rules) {
      rules = this.rules.filter(({ rule, applies }) => rule.type !== 'store_error' && !isHostRule(rule.type) && applies(instance)).map(({ rule }) => rule);
      this.applicable.set(instance, rules);
    }
    return rules;
  }

  private evaluate(instance: string, now: number): void {
    const facts = this.facts.get(instance);
    if (!facts) return;
    for (const rule of this.rulesFor(instance)) this.update(rule, instance, checkRule(rule, facts, now), now);
  }

  private evaluateStore(now: number): void {
    const condition = checkStoreRule(this.storeFault);
    for (const { rule } of this.rules) if (rule.type === 'store_error') this.update(rule, '', condition, now);
  }

  /** The one place alerts start, repeat and resolve. */
  private update(rule: AlertRule, instance: string, condition: Condition | null, now: number): void {
    const key = `${rule.name}/${instance}`;
    const current = this.firing.get(key);
    if (condition === null) {
      if (current) this.resolve(key, now);
      return;
    }
    if (current) {
      // Keep the latest value for active(); receivers hear of it only at repeat_interval.
      current.alert = { ...current.alert, summary: condition.summary, ...(condition.value !== undefined && { value: condition.value }) };
      if (this.config.repeat_interval > 0 && now - current.sentAt >= this.config.repeat_interval) {
        current.sentAt = now;
        this.aggregator.add(current.alert, now, true);
      }
      return;
    }
    if (now - condition.since < rule.for) return;
    const alert: Alert = {
      key, rule: rule.name, type: rule.type, severity: rule.severity, instance, state: 'firing',
      startsAt: new Date(condition.since).toISOString(), summary: condition.summary,
      ...(condition.value !== undefined && { value: condition.value }),
    };
    this.firing.set(key, { alert, sentAt: now });
    this.aggregator.add(alert, now);
  }

  private resolve(key: string, now: number): void {
    const current = this.firing.get(key);
    if (!current) return;
    this.firing.delete(key);
    this.aggregator.add({ ...current.alert, state: 'resolved', endsAt: new Date(now).toISOString() }, now);
  }

  private flush(now: number, force: boolean): void {
    const alerts = this.aggregator.flush(now, force);
    if (!alerts) return;
    const notification = buildNotification(alerts, this.agent);
    this.logger.info({ action: 'alert', status: notification.status, alerts: alerts.length, notification: notification.id }, notification.title);
    for (const queue of this.queues) queue.push(notification);
  }
}
