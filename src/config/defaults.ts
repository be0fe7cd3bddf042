import os from 'node:os';
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
      log_level: 'info',
      metrics: { enabled: true, interval: 10_000, retention: 3_600_000, prometheus_endpoint: '/metrics' },
      nats: { enabled: false, url: 'nats://127.0.0.1:4222', bucket: 'hxe' },
    },
    server: null,
    syncs: [],
    files: [],
  };
}
