import type { Logger } from 'pino';
import type { AgentConfig } from '../config/load-config.js';
import type { HomePaths } from '../core/home.js';
import { fleetConfigOf } from '../fleet/config.js';
import type { Store } from '../store/store.js';
import type { Agent } from '../api/agent-operations.js';
import type { EventLog } from '../events/event-log.js';
import { openLogSession } from '../logs/log-session.js';

const FIRST_SYNC_WAIT_MS = 5_000;

/**
 * Joins the fleet when the configuration names NATS servers: the one place
 * the agent starts the fleet module (loaded only then: an agent without a
 * fleet never loads the NATS client). Resolves to its stop function once
 * the first sync is done (at most 5 s: without NATS the local copy runs).
 */
export async function joinFleetIfConfigured(
  config: AgentConfig, deps: { agent: Agent; store: Store; events: EventLog; paths: HomePaths; logger: Logger },
): Promise<() => Promise<void>> {
  const fleetConfig = fleetConfigOf(config.agent);
  if (!fleetConfig) return async () => undefined;
  const { startFleet } = await import('../fleet/index.js');
  const { agent, store, events, paths } = deps;
  const fleet = startFleet(fleetConfig, {
    apply: (request) => agent.apply(request),
    restart: (names, reason) => agent.restart(names, reason),
    records: () => store.list(),
    statuses: () => store.listStatuses(),
    watchStatuses: (listener) => store.watchStatuses(listener),
    subscribeEvents: (listener) => events.subscribe(listener),
    openLogs: (instances, options) => openLogSession(paths.logs, instances, options),
    recentEvents: (service, limit) => events.list(service, limit),
  }, deps.logger);
  // Before the controller starts: an agent back from being lost must not restart what moved away meanwhile.
  // Without NATS it goes on with its local copy after this wait.
  await Promise.race([fleet.synced, new Promise((resolve) => setTimeout(resolve, FIRST_SYNC_WAIT_MS).unref())]);
  return () => fleet.stop();
}
