import type { Logger } from 'pino';
import type { AlertsConfig } from '../alerts/config.js';
import { createAlertEngine } from '../alerts/engine.js';
import type { AlertEngine, Notifier } from '../alerts/types.js';
import { belongsTo } from '../events/event-log.js';
import type { Store } from '../store/store.js';
import type { AgentMetrics } from '../metrics/agent-metrics.js';

/**
 * The alert engine, fed by the agent: every status as it is recorded,
 * every metrics tick, deletions and store write failures. Notifiers (and so
 * nodemailer) are loaded only when a webhook or email is configured.
 */
export async function startAlerts(config: AlertsConfig, deps: { agentName: string; store: Store; metrics: AgentMetrics; logger: Logger }): Promise<{ engine: AlertEngine; stop(): Promise<void> }> {
  const notifiers: Notifier[] = config.webhook || config.email ? (await import('../alerts/notifiers.js')).createNotifiers(config) : [];
  const { store } = deps;
  const engine = createAlertEngine(config, {
    notifiers,
    agent: deps.agentName,
    logger: deps.logger.child({ action: 'alert' }),
    serviceOf: (instance) => store.list().find((record) => belongsTo(instance, record.metadata.name))?.metadata.name ?? instance,
  });
  const unsubscribers = [
    store.watchStatuses((instance, status) => (status ? engine.observeStatus(instance, status) : engine.observeGone(instance))),
    store.onWriteHealth((error) => engine.storeError(error)),
    deps.metrics.subscribe((samples) => engine.observeSamples(samples)),
    deps.metrics.subscribeHost((sample) => engine.observeHost(sample)),
  ];
  engine.start();
  return {
    engine,
    async stop() {
      unsubscribers.forEach((unsubscribe) => unsubscribe());
      await engine.stop();
    },
  };
}
