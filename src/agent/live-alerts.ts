import type { AlertsConfig } from '../alerts/config.js';
import type { AlertEngine } from '../alerts/types.js';
import { startAlerts } from './alerts.js';

type AlertDeps = Parameters<typeof startAlerts>[1];

/**
 * The alert engine behind a fixed handle, so that a configuration reload
 * can replace rules and receivers: the old engine sends what it has pending
 * and stops; the new one evaluates afresh (a condition still true fires
 * again after its `for`).
 */
export class LiveAlerts {
  private current!: Awaited<ReturnType<typeof startAlerts>>;
  /** What the API holds: always the current engine. */
  readonly engine: AlertEngine;

  private constructor(private readonly deps: AlertDeps) {
    const now = () => this.current.engine;
    this.engine = {
      observeSamples: (samples) => now().observeSamples(samples),
      observeStatus: (instance, status) => now().observeStatus(instance, status),
      observeHost: (sample) => now().observeHost(sample),
      observeGone: (instance) => now().observeGone(instance),
      storeError: (message) => now().storeError(message),
      tick: () => now().tick(),
      start: () => now().start(),
      stop: () => now().stop(),
      active: () => now().active(),
    };
  }

  static async start(config: AlertsConfig, deps: AlertDeps): Promise<LiveAlerts> {
    const live = new LiveAlerts(deps);
    live.current = await startAlerts(config, deps);
    return live;
  }

  /** Starts an engine for `config`, then stops the old one. */
  async replace(config: AlertsConfig): Promise<void> {
    const previous = this.current;
    this.current = await startAlerts(config, this.deps);
    await previous.stop();
  }

  stop(): Promise<void> {
    return this.current.stop();
  }
}
