import type { Logger } from 'pino';
import { instancesOf } from '../core/instances.js';
import { LIVE_STATES } from '../core/types.js';
import type { Store } from '../store/store.js';
import { createMemoryWatchdog, type OverLimit } from './memory-watchdog.js';
import type { InstanceSample } from './sample.js';
import { createMetricsSampler, type MetricsSampler } from './sampler.js';
import type { EventLog } from '../events/event-log.js';
import type { ReconcileLoop } from '../core/ports.js';
import { HostSampler, type HostSample } from './host-sampler.js';


export interface SamplesSnapshot {
  interval: number;
  instances: Record<string, { latest: InstanceSample | null; history: InstanceSample[] }>;
}

/**
 * The agent's metrics: samples every instance's process group at the
 * configured interval (one /proc scan, one batched pidusage call), keeps a
 * short history, feeds subscribers (the event stream, alerts) and restarts
 * an instance whose memory stays over its `memory_limit` (PM2's
 * max_memory_restart).
 */
/** What the sampler needs of `agent.metrics` (intervals in ms); the configuration's block fits it. */
export interface MetricsOptions {
  enabled: boolean;
  interval: number;
  retention: number;
}

export class AgentMetrics {
  private sampler: MetricsSampler | null;
  private started = false;
  private readonly subscribers = new Set<(samples: InstanceSample[]) => void>();
  private readonly limits = new Map<string, number | null>();
  /** The host (CPU, memory, load, disks, network), read at each tick with the instances. */
  readonly host: HostSampler;
  private readonly hostSubscribers = new Set<(sample: HostSample) => void>();

  constructor(
    private config: MetricsOptions,
    private readonly deps: { store: Store; reconcileLoop: ReconcileLoop; events: EventLog; logger: Logger },
  ) {
    this.host = new HostSampler(Math.max(1, Math.ceil(config.retention / config.interval)));
    this.sampler = this.createSampler(config);
  }

  /**
   * A configuration reload: a new interval or retention takes effect at
   * once (a new sampler; the history starts again). `enabled` needs a restart.
   */
  reconfigure(config: MetricsOptions): void {
    if (!this.config.enabled || (config.interval === this.config.interval && config.retention === this.config.retention)) return;
    this.sampler?.stop();
    this.config = { ...this.config, interval: config.interval, retention: config.retention };
    this.sampler = this.createSampler(this.config);
    if (this.started) this.sampler?.start();
  }

  private createSampler(config: MetricsOptions): MetricsSampler | null {
    const watchdog = createMemoryWatchdog((instance) => this.limits.get(instance) ?? null);
    return config.enabled
      ? createMetricsSampler({
        intervalMs: config.interval,
        retention: Math.max(1, Math.ceil(config.retention / config.interval)),
        targets: () => this.targets(),
        onSample: (samples) => {
          for (const over of watchdog.check(samples)) this.restartOverLimit(over);
          for (const subscriber of this.subscribers) subscriber(samples);
          this.sampleHost();
        },
        onError: (err) => this.deps.logger.warn({ action: 'metrics', err: String(err) }, 'metrics tick failed'),
      })
      : null;
  }

  start(): void {
    this.started = true;
    this.sampler?.start();
    // A first reading now: the header and /metrics have host figures before the first tick.
    if (this.sampler) this.sampleHost();
  }

  /** Called with each host sample. */
  subscribeHost(subscriber: (sample: HostSample) => void): () => void {
    this.hostSubscribers.add(subscriber);
    return () => this.hostSubscribers.delete(subscriber);
  }

  private sampleHost(): void {
    this.host.collect().then(
      (sample) => { for (const subscriber of this.hostSubscribers) subscriber(sample); },
      (err: unknown) => this.deps.logger.warn({ action: 'metrics', err: String(err) }, 'host metrics failed'),
    );
  }

  stop(): void {
    this.started = false;
    this.sampler?.stop();
  }

  latest(instance: string): InstanceSample | undefined {
    return this.sampler?.latest(instance);
  }

  snapshot(): SamplesSnapshot {
    const instances: SamplesSnapshot['instances'] = {};
    for (const name of Object.keys(this.deps.store.listStatuses())) {
      instances[name] = { latest: this.sampler?.latest(name) ?? null, history: this.sampler?.history(name) ?? [] };
    }
    return { interval: this.config.interval, instances };
  }

  subscribe(subscriber: (samples: InstanceSample[]) => void): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** Live instances with a pid, and each one's memory limit (refreshed every tick: specs change). */
  private targets() {
    this.limits.clear();
    for (const record of this.deps.store.list()) {
      for (const name of instancesOf(record)) this.limits.set(name, record.spec.resources.memory_limit);
    }
    const statuses = this.deps.store.listStatuses();
    for (const name of Object.keys(statuses)) if (!this.limits.has(name)) this.sampler?.forget(name);
    return Object.entries(statuses)
      .filter(([, status]) => status.pid !== null && LIVE_STATES.has(status.state))
      .map(([instance, status]) => ({ instance, pid: status.pid! }));
  }

  /** A failure restart (counted, backoff, crashloop); said once per process, not at every tick while it stops. */
  private restartOverLimit({ instance, pid, memoryBytes, limit }: OverLimit): void {
    const cause = `memory ${mib(memoryBytes)} over its limit of ${mib(limit)}`;
    if (!this.deps.reconcileLoop.restartInstance(instance, cause, pid)) return;
    const message = `${cause}: restarting`;
    this.deps.events.record({ service: instance, type: 'MemoryLimitExceeded', message });
    this.deps.logger.warn({ service: instance, pid, action: 'restart', memoryBytes, limit }, message);
  }
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)}Mi`;
}
