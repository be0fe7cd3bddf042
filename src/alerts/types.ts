/**
 * The values the alerts module passes around: alerts, the notifications
 * built from them, and the port a delivery channel implements. Pure data.
 */
import type { InstanceStatus } from '../core/types.js';
import type { InstanceSample } from '../metrics/sample.js';
import type { HostSample } from '../metrics/host-sampler.js';

export type { InstanceSample };

export type AlertSeverity = 'warning' | 'critical';

export const RULE_TYPES = ['memory', 'cpu', 'restarts', 'crashloop', 'unhealthy', 'failed', 'store_error', 'host_cpu', 'host_memory', 'host_disk', 'host_load'] as const;
export type AlertRuleType = (typeof RULE_TYPES)[number];

/** What the engine needs of a status change; a whole {@link InstanceStatus} fits. */
export type AlertStatusInput = Pick<InstanceStatus, 'state' | 'restarts' | 'message'> & Partial<Pick<InstanceStatus, 'ready'>>;

/** One alert (a rule firing for one instance), as the API, the page and the receivers see it. */
export interface Alert {
  /** `rule/instance`: the deduplication key. */
  key: string;
  rule: string;
  type: AlertRuleType;
  severity: AlertSeverity;
  /** The instance; '' for the agent itself (store errors). */
  instance: string;
  state: 'firing' | 'resolved';
  /** When the condition began (before its `for`), ISO 8601. */
  startsAt: string;
  /** When it resolved, ISO 8601; only on resolved alerts. */
  endsAt?: string;
  /** One line for people: `memory 950Mi above 900Mi for 2m`. */
  summary: string;
  /** The measured value when the rule has one: bytes, CPU %, restart count. */
  value?: number;
}

/**
 * One message to the receivers: every alert that started or resolved in one
 * aggregation window. Its JSON form (without `id` and `title`) is the
 * webhook's body.
 */
export interface Notification {
  /** Stable across retries of the same message: receivers may deduplicate on it. */
  id: string;
  version: 1;
  status: 'firing' | 'resolved' | 'mixed';
  /** The agent's name (`agent.name`, the host name by default). */
  agent: string;
  alerts: Alert[];
  /** One line: `FIRING: crashloop web-1` or `12 services firing: crashloop ×10, restarts ×2`. */
  title: string;
  /** The title, then one line per alert. */
  summary: string;
}

/**
 * A delivery channel. `send` resolves once the receiver accepted the
 * message and rejects on any failure (the queue retries); it may honour
 * `signal` to give up early when the agent stops.
 */
export interface Notifier {
  name: string;
  send(notification: Notification, signal?: AbortSignal): Promise<void>;
}

/** Where the engine logs delivery problems; pino's logger fits. */
export interface AlertLogger {
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
}

/**
 * Evaluates the rules against what the agent observes and hands
 * notifications to the notifiers. Every method returns at once and never
 * throws: delivery happens in the background.
 */
export interface AlertEngine {
  /** A metrics sample per instance, every `metrics.interval`. */
  observeSamples(samples: InstanceSample[]): void;
  /** Every status change of an instance. */
  observeStatus(instance: string, status: AlertStatusInput): void;
  /** A sample of the host, every `metrics.interval`: the host_* rules. */
  observeHost(sample: HostSample): void;
  /** The instance was deleted: its alerts resolve. */
  observeGone(instance: string): void;
  /** The agent's store failed (a message) or recovered (null). */
  storeError(message: string | null): void;
  /** Evaluates time-based conditions and flushes a due aggregation window. */
  tick(): void;
  /** Ticks every second (an unref'd timer). */
  start(): void;
  /** Stops ticking, sends what is pending, and waits (bounded) for deliveries. */
  stop(): Promise<void>;
  /** Alerts firing now. */
  active(): Alert[];
}
