import { isSecretPath, REDACTED } from '../../core/redact.js';
import { formatDuration } from '../../manifest/duration.js';
import type { FieldChange, PlanSummary, ServiceChange } from '../../reconcile/apply-plan.js';
import type { Style } from './style.js';

const DURATION_FIELDS = new Set([
  'stop_timeout', 'health_check.interval', 'health_check.timeout', 'health_check.start_period',
  'backoff.initial', 'backoff.max', 'backoff.reset_after', 'crashloop.window', 'watch.debounce',
]);
const BYTE_FIELDS = new Set(['resources.memory_limit', 'logs.max_size']);

/**
 * A plan for people, like `kubectl diff`: `+` added, `~` changed (field by
 * field), `-` removed, and which services restart. Secrets show as changed,
 * never by value.
 */
export function renderPlan(plan: PlanSummary, style: Style, options: { verbUnchanged?: boolean } = {}): string {
  const lines: string[] = [];
  for (const service of plan.services) {
    if (service.kind === 'unchanged' && !service.previousSource) {
      if (options.verbUnchanged) lines.push(style.dim(`  ${service.name} (unchanged)`));
      continue;
    }
    lines.push(...renderService(service, style));
  }
  const counts = countKinds(plan.services);
  const restarts = `${counts.restart} instance${counts.restart === 1 ? '' : 's'} to restart`;
  const summary = `${counts.create} to add, ${counts.update} to change, ${counts.delete} to remove, ${restarts}`;
  if (lines.length === 0) return 'No changes.';
  return [...lines, '', summary].join('\n');
}

function renderService(service: ServiceChange, style: Style): string[] {
  if (service.kind === 'create') return [style.green(`+ ${service.name} (new)`)];
  if (service.kind === 'delete') return [style.red(`- ${service.name} (removed; its processes stop)`)];
  const notes = [`generation ${service.generation - (service.kind === 'update' ? 1 : 0)} → ${service.generation}`];
  if (service.restart) notes.push(`restarts ${(service.restartInstances ?? [service.name]).join(', ')}`);
  if (service.previousSource) notes.push(`taken over from ${service.previousSource}`);
  const lines = [style.yellow(`~ ${service.name} (${notes.join(', ')})`)];
  for (const change of service.changes) lines.push(`    ${renderChange(change, style)}`);
  return lines;
}

export function renderChange(change: FieldChange, style: Style): string {
  if (isSecretPath(change.path)) {
    const verb = { add: 'added', remove: 'removed', replace: 'changed' }[change.op];
    return `${change.path}: ${REDACTED} ${verb}`;
  }
  if (change.op === 'add') return `${change.path}: ${style.green(formatValue(change.path, change.to))} (added)`;
  if (change.op === 'remove') return `${change.path}: ${style.red(formatValue(change.path, change.from))} (removed)`;
  return `${change.path}: ${style.red(formatValue(change.path, change.from))} → ${style.green(formatValue(change.path, change.to))}`;
}

/** A value in the units the user wrote: durations as `10s`, sizes as `512Mi`, CPU as `500m`. */
export function formatValue(path: string, value: unknown): string {
  if (typeof value === 'number' && DURATION_FIELDS.has(path)) return formatDuration(value);
  if (typeof value === 'number' && BYTE_FIELDS.has(path)) return formatBytes(value);
  if (typeof value === 'number' && path === 'resources.cpu_limit') return `${value}m`;
  if (value === null) return 'none';
  return JSON.stringify(value);
}

function formatBytes(bytes: number): string {
  for (const [unit, size] of [['Gi', 2 ** 30], ['Mi', 2 ** 20], ['Ki', 2 ** 10]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

function countKinds(services: ServiceChange[]) {
  return {
    create: services.filter((s) => s.kind === 'create').length,
    update: services.filter((s) => s.kind === 'update').length,
    delete: services.filter((s) => s.kind === 'delete').length,
    restart: services.reduce((sum, s) => sum + (s.restart ? (s.restartInstances?.length ?? 1) : 0), 0),
  };
}
