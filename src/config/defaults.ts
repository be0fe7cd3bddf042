import os from 'node:os';
import type { AlertRule, AlertsConfig } from '../alerts/config.js';
import type { AgentConfig } from './load-config.js';

/**
 * The configuration of an agent started without --config: the schema's
 * defaults, written out so that the resident agent need not load the schema
 * library (a test checks that the two agree).
 */
export function defaultAgentConfig(): AgentConfig {
  return {
    agent: {
      name: os.hostname(),
      labels: {},
      log_level: 'info',
      cgroups: 'auto',
      metrics: { enabled: true, interval: 10_000, retention: 3_600_000, prometheus_endpoint: '/metrics' },
      alerts: defaultAlertsConfig(),
      nats: { servers: [], cluster_name: 'hxe-cluster', enabled: false, url: 'nats://127.0.0.1:4222', bucket: 'hxe' },
    },
    server: null,
    syncs: [],
    files: [],
  };
}

/** The alerts block's defaults (src/alerts/config.ts decodes the same for an absent block). */
function defaultAlertsConfig(): AlertsConfig {
  const rule = (name: AlertRule['type'], severity: AlertRule['severity'], extra: Partial<AlertRule> = {}): AlertRule =>
    ({ name, type: name, severity, services: [], above: null, for: 0, within: 0, ...extra });
  return {
    enabled: true, group_wait: 10_000, repeat_interval: 14_400_000, queue_size: 100,
    retry: { attempts: 5, initial: 1_000, max: 60_000 },
    webhook: null, webhook_url: null, email: null,
    rules: [
      rule('crashloop', 'critical'),
      rule('failed', 'critical'),
      rule('restarts', 'warning', { above: 5, within: 300_000 }),
      rule('unhealthy', 'warning', { for: 60_000 }),
      rule('store_error', 'critical'),
    ],
  };
}
