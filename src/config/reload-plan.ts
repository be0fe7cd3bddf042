/**
 * What a new configuration changes, and which changes the agent can take
 * live: pure, so the split is tested without an agent.
 */
import type { AgentConfig } from './load-config.js';

/** Field paths the agent applies without a restart (a path covers everything under it). */
export const LIVE_FIELDS: readonly string[] = [
  'agent.log_level', 'agent.metrics.interval', 'agent.metrics.retention', 'agent.alerts',
  'server.auth', 'server.rate_limit', 'server.cors.allowed_origins', 'server.cors.allowed_methods',
  'server.tls.cert_file', 'server.tls.key_file', 'syncs',
];

export interface ReloadPlan {
  /** Changed fields taken live. */
  live: string[];
  /** Changed fields that take effect at the next start (listen address, data_dir ...). */
  restart: string[];
}

/** The changed fields of `next` against `previous`, split into live and restart. */
export function planReload(previous: AgentConfig, next: AgentConfig): ReloadPlan {
  const shape = (config: AgentConfig) => ({ agent: config.agent, server: config.server, syncs: config.syncs });
  const changed = diffPaths(shape(previous), shape(next), '');
  const live = changed.filter(isLive);
  return { live, restart: changed.filter((path) => !isLive(path)) };
}

function isLive(path: string): boolean {
  return LIVE_FIELDS.some((field) => path === field || path.startsWith(`${field}.`));
}

/** Leaf paths whose values differ; a live field, an array or a value present on one side only is one leaf. */
function diffPaths(a: unknown, b: unknown, path: string): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const leaf = (path !== '' && isLive(path) && LIVE_FIELDS.includes(path)) || !isObject(a) || !isObject(b);
  if (leaf) return [path];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((key) => diffPaths(a[key], b[key], path ? `${path}.${key}` : key));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
