import type { DesiredService, ServiceRecord, ServiceSpec } from '../../src/core/types.js';

/** A complete spec with the documented defaults, for tests that build specs without the loader. */
export function specOf(overrides: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    command: 'sleep 1000', args: [], shell: false, working_dir: null, user: null, group: null,
    environment: {}, env_file: null, depends_on: [], instances: 1, health_check: null,
    resources: { cpu_limit: null, memory_limit: null }, restart_policy: 'always',
    stop_signal: 'SIGTERM', stop_timeout: 10_000,
    backoff: { initial: 1000, multiplier: 2, max: 300_000, reset_after: 60_000 },
    crashloop: { max_restarts: 5, window: 120_000, give_up: false },
    watch: null, logs: { max_size: 20 * 1024 * 1024, keep: 5 }, labels: {}, tags: [], disabled: false,
    ...overrides,
  };
}

export function desired(name: string, overrides: Partial<ServiceSpec> = {}): DesiredService {
  return { name, spec: specOf(overrides), file: '/tmp/services.hcl', line: 1 };
}

export function recordOf(name: string, overrides: Partial<ServiceSpec> = {}, extra: Partial<ServiceRecord> & { generation?: number } = {}): ServiceRecord {
  const { generation = 1, ...rest } = extra;
  return {
    metadata: {
      name, generation, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
      source: '/tmp/services.hcl', labels: {}, file: '/tmp/services.hcl',
    },
    spec: specOf(overrides),
    desiredState: null,
    restartNonce: 0,
    startNonce: 0,
    ...rest,
  };
}
