import type { InstanceView, LifecycleState } from '../../core/types.js';
import type { Style } from './style.js';
import { formatAge, renderTable } from './table.js';

export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml';

const GOOD: LifecycleState[] = ['running', 'healthy', 'completed'];
const BAD: LifecycleState[] = ['unhealthy', 'crashloop', 'failed', 'backoff'];

/** `hxe get` in each output format. JSON and YAML are for scripts and stable. */
export async function renderInstances(views: InstanceView[], format: OutputFormat, style: Style): Promise<string> {
  if (format === 'json') return JSON.stringify(views, null, 2);
  // The YAML library is large: loaded only when asked for.
  if (format === 'yaml') return (await import('yaml')).default.stringify(views);
  if (views.length === 0) return 'No services.';
  const wide = format === 'wide';
  const header = ['NAME', 'STATE', 'READY', 'RESTARTS', 'PID', 'AGE'];
  // A fleet's views say where each instance runs.
  const fleet = views.some((view) => view.status.node !== undefined);
  if (fleet) header.splice(1, 0, 'NODE');
  if (wide) header.push('GEN', 'CPU', 'MEMORY', 'SOURCE', 'MESSAGE');
  const rows = views.map((view) => {
    const { status } = view;
    const row = [
      view.name,
      colourState(status.state, style),
      status.ready ? 'true' : 'false',
      String(status.restarts),
      status.pid ? String(status.pid) : '-',
      formatAge(status.startedAt ?? view.metadata.createdAt),
    ];
    if (fleet) row.splice(1, 0, status.node ?? '-');
    if (wide) {
      const generation = status.observedGeneration === view.metadata.generation
        ? String(view.metadata.generation)
        : `${status.observedGeneration}/${view.metadata.generation}`;
      const metrics = status.metrics;
      const message = status.message && status.message !== status.state ? status.message : '-';
      row.push(generation, metrics ? formatCpu(metrics.cpuPercent) : '-', metrics ? formatBytes(metrics.memoryBytes) : '-',
        view.metadata.file ?? view.metadata.source, message);
    }
    return row;
  });
  return renderTable(header, rows);
}

export function colourState(state: LifecycleState, style: Style): string {
  if (GOOD.includes(state)) return style.green(state);
  if (BAD.includes(state)) return style.red(state);
  return style.yellow(state);
}

/** `0.3%`, `12%`, `150%` (of one core). */
export function formatCpu(percent: number): string {
  return `${percent < 10 ? percent.toFixed(1) : Math.round(percent)}%`;
}

/** `512Ki`, `12.5Mi`, `1.2Gi`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'Ki', 'Mi', 'Gi', 'Ti'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 && unit > 0 ? value.toFixed(1) : Math.round(value)}${units[unit]}`;
}
