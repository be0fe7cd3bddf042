import { describe, expect, it } from 'vitest';
import { defaultAgentConfig } from '../../src/config/defaults.js';
import type { AgentConfig } from '../../src/config/load-config.js';
import { planReload } from '../../src/config/reload-plan.js';

const base = defaultAgentConfig();
const server = {
  host: '127.0.0.1', port: 7380, tls: { enabled: false }, auth: { type: 'token', token: 'a', token_expiry: 1 },
  cors: { enabled: true, allowed_origins: ['https://a'], allowed_methods: ['GET'] }, rate_limit: { enabled: true, requests_per_minute: 60, burst_size: 60 },
} as unknown as NonNullable<AgentConfig['server']>;

describe('planReload', () => {
  it('takes log level, metrics timing, alerts, auth, rate limit, CORS lists, TLS files and syncs live', () => {
    const previous: AgentConfig = { ...base, server };
    const next: AgentConfig = {
      ...base,
      agent: { ...base.agent, log_level: 'debug', metrics: { ...base.agent.metrics, interval: 1000, retention: 60_000 }, alerts: { ...base.agent.alerts, group_wait: 1 } },
      server: { ...server, auth: { ...server.auth, token: 'b' }, rate_limit: { ...server.rate_limit, burst_size: 3 }, cors: { ...server.cors, allowed_origins: ['https://b'] } },
      syncs: [{ path: '/srv', prune: false, recursive: false }],
    };
    expect(planReload(previous, next)).toEqual({
      live: ['agent.alerts', 'agent.log_level', 'agent.metrics.interval', 'agent.metrics.retention', 'server.auth', 'server.cors.allowed_origins', 'server.rate_limit', 'syncs'],
      restart: [],
    });
  });

  it('leaves listen addresses, data_dir, TLS on/off, a new server block and metrics on/off to a restart', () => {
    const previous: AgentConfig = { ...base, server };
    expect(planReload(previous, { ...base, agent: { ...base.agent, data_dir: '/var/lib/hxe' }, server: { ...server, port: 1, tls: { ...server.tls, enabled: true } } }).restart)
      .toEqual(['agent.data_dir', 'server.port', 'server.tls.enabled']);
    expect(planReload(base, previous).restart).toEqual(['server']);
    expect(planReload(base, { ...base, agent: { ...base.agent, metrics: { ...base.agent.metrics, enabled: false } } }).restart).toEqual(['agent.metrics.enabled']);
  });
});
