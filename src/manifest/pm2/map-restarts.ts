/**
 * PM2's restart and stop fields → hxe's restart_policy, crashloop, backoff,
 * memory limit, stop signal and timeout.
 */
import type { MapState } from './map-app.js';
import { FieldProblem, toBoolean, toBytes, toMs } from './pm2-values.js';

/** PM2's defaults where one field of a pair is given without the other. */
const PM2_MAX_RESTARTS = 16;
const PM2_MIN_UPTIME_MS = 1000;
/** PM2's exponential backoff: ×1.5 per restart, at most 15 s, reset after 30 s up. */
const PM2_BACKOFF_MAX_MS = 15_000;

export function mapRestarts(state: MapState): void {
  const memory = state.read('max_memory_restart', toBytes);
  if (memory !== undefined) state.body.resources = { memory_limit: memory };
  mapRestartPolicy(state);
  const restartDelay = state.read('restart_delay', toMs);
  mapCrashloop(state, restartDelay ?? 0);
  mapBackoff(state, restartDelay);
  // PM2 stops an app with SIGINT, then SIGKILL after kill_timeout.
  state.body.stop_signal = 'SIGINT';
  const killTimeout = state.read('kill_timeout', toMs);
  if (killTimeout !== undefined) state.body.stop_timeout = `${killTimeout}ms`;
}

/** autorestart: false → never; stop_exit_codes including 0 → on-failure (other codes cannot be exempted). */
function mapRestartPolicy(state: MapState): void {
  const autorestart = state.read('autorestart', toBoolean);
  const codes = state.read('stop_exit_codes', (value) => {
    const list = Array.isArray(value) ? value : [value];
    if (list.every((code) => Number.isInteger(code))) return list as number[];
    throw new FieldProblem(`expected an exit code or a list of them, got ${JSON.stringify(value)}`);
  });
  if (autorestart === false) {
    state.body.restart_policy = 'never';
    return;
  }
  if (codes === undefined) return;
  if (codes.includes(0)) state.body.restart_policy = 'on-failure';
  const others = codes.filter((code) => code !== 0);
  if (others.length > 0) {
    state.warnings.push(`stop_exit_codes: ${others.join(', ')} not mapped: hxe exempts only exit code 0 from restarts (restart_policy = "on-failure")`);
  }
}

/**
 * max_restarts unstable restarts (each up less than min_uptime) make PM2
 * give up: hxe's crashloop with give_up, counted over the time those
 * restarts can take at most.
 */
function mapCrashloop(state: MapState, restartDelay: number): void {
  const maxRestarts = state.read('max_restarts', (value) => {
    if (Number.isInteger(value) && (value as number) >= 0) return value as number;
    throw new FieldProblem(`expected a whole number, got ${JSON.stringify(value)}`);
  });
  const minUptime = state.read('min_uptime', toMs);
  if (maxRestarts === undefined && minUptime === undefined) return;
  if (maxRestarts === 0) {
    state.body.restart_policy ??= 'never';
    return;
  }
  const restarts = maxRestarts ?? PM2_MAX_RESTARTS;
  const window = Math.max(1000, restarts * ((minUptime ?? PM2_MIN_UPTIME_MS) + restartDelay));
  state.body.crashloop = { max_restarts: restarts, window: `${window}ms`, give_up: true };
}

/** restart_delay: a fixed delay; exp_backoff_restart_delay: PM2's exponential backoff, which wins over it. */
function mapBackoff(state: MapState, restartDelay: number | undefined): void {
  const exponential = state.read('exp_backoff_restart_delay', toMs);
  if (exponential !== undefined) {
    const max = Math.max(exponential, PM2_BACKOFF_MAX_MS);
    state.body.backoff = { initial: `${exponential}ms`, multiplier: 1.5, max: `${max}ms`, reset_after: '30s' };
    if (restartDelay !== undefined) state.warnings.push('restart_delay: not mapped: exp_backoff_restart_delay wins over it, as in PM2');
    return;
  }
  if (restartDelay !== undefined) state.body.backoff = { initial: `${restartDelay}ms`, multiplier: 1, max: `${restartDelay}ms` };
}
