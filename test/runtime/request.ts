/**
 * Builders of spawn requests for the runtime's tests.
 */
import { readFileSync } from 'node:fs';
import type { SpawnRequest } from '../../src/core/ports.js';
import type { ServiceSpec } from '../../src/core/types.js';
import { logPaths } from '../../src/runtime/spawn-process.js';

/** A complete spec with test-friendly values; `overrides` win. */
export function serviceSpec(overrides: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    command: 'true',
    args: [],
    shell: false,
    working_dir: null,
    user: null,
    group: null,
    environment: {},
    env_file: null,
    depends_on: [],
    instances: 1,
    health_check: null,
    resources: { cpu_limit: null, memory_limit: null },
    restart_policy: 'always',
    stop_signal: 'SIGTERM',
    stop_timeout: 10_000,
    backoff: { initial: 1000, multiplier: 2, max: 300_000, reset_after: 60_000 },
    crashloop: { max_restarts: 5, window: 120_000, give_up: false },
    watch: null,
    logs: { max_size: 10 * 1024 * 1024, keep: 3 },
    labels: {},
    tags: [],
    disabled: false,
    ...overrides,
  };
}

/** A request for instance `web` (index 0) of service `web`. */
export function spawnRequest(overrides: Partial<ServiceSpec> = {}, instance = 'web'): SpawnRequest {
  return { instance, service: 'web', index: 0, spec: serviceSpec(overrides) };
}

/** What the instance wrote to stdout ('' before it wrote anything). */
export function readOut(logDir: string, instance = 'web'): string {
  return readOptional(logPaths(logDir, instance).out);
}

/** What the instance wrote to stderr. */
export function readErr(logDir: string, instance = 'web'): string {
  return readOptional(logPaths(logDir, instance).err);
}

function readOptional(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
