import type { ServiceSpec } from './types.js';

/**
 * Fields whose change the agent takes in place, without restarting the
 * process: scale, stop/start, probe and restart tuning, labels. A change to
 * any other field (command, environment, ...) restarts the instances, rolling.
 */
export const IN_PLACE_FIELDS: ReadonlySet<keyof ServiceSpec> = new Set<keyof ServiceSpec>([
  'instances', 'disabled', 'labels', 'tags', 'depends_on', 'health_check', 'restart_policy',
  'backoff', 'crashloop', 'logs', 'watch', 'stop_signal', 'stop_timeout', 'placement',
]);

/** True when going from `running` to `desired` needs the process restarted. */
export function needsRestart(running: ServiceSpec, desired: ServiceSpec): boolean {
  for (const key of Object.keys(desired) as (keyof ServiceSpec)[]) {
    if (IN_PLACE_FIELDS.has(key)) continue;
    if (JSON.stringify(running[key]) !== JSON.stringify(desired[key])) return true;
  }
  return false;
}
