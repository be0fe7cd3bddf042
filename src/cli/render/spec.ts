import { formatDuration } from '../../manifest/duration.js';
import type { ServiceSpec } from '../../core/types.js';

const BINARY = ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki'];

/** Bytes as the manifest writes them: the largest binary unit that divides exactly (`20Mi`, `1536Ki`), else a plain number. */
export function formatMemory(bytes: number): string {
  for (const [i, unit] of BINARY.entries()) {
    const factor = 2 ** (10 * (BINARY.length - i));
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return String(bytes);
}

/** Millicores as the manifest writes them: `500m`, or whole cores `2`. */
export function formatCpuQuantity(millicores: number): string {
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

type Spec = Partial<ServiceSpec>;

/**
 * A copy of a (redacted) spec with durations, sizes and CPU in the
 * manifest's units (`3s`, `20Mi`, `500m`) instead of the stored ms, bytes
 * and millicores, for `describe` (its -o json keeps the stored numbers).
 * Each reads back to the same value.
 */
export function specAsWritten(spec: Spec): Record<string, unknown> {
  const duration = (value: unknown) => (typeof value === 'number' ? formatDuration(value) : value);
  const out: Record<string, unknown> = { ...spec, stop_timeout: duration(spec.stop_timeout) };
  if (spec.health_check) {
    const h = spec.health_check;
    out.health_check = { ...h, interval: duration(h.interval), timeout: duration(h.timeout), start_period: duration(h.start_period) };
  }
  if (spec.backoff) {
    const b = spec.backoff;
    out.backoff = { ...b, initial: duration(b.initial), max: duration(b.max), reset_after: duration(b.reset_after) };
  }
  if (spec.crashloop) out.crashloop = { ...spec.crashloop, window: duration(spec.crashloop.window) };
  if (spec.watch) out.watch = { ...spec.watch, debounce: duration(spec.watch.debounce) };
  if (spec.logs) out.logs = { ...spec.logs, max_size: formatMemory(spec.logs.max_size) };
  if (spec.resources) {
    const r = spec.resources;
    out.resources = {
      ...r,
      cpu_limit: r.cpu_limit === null ? null : formatCpuQuantity(r.cpu_limit),
      memory_limit: r.memory_limit === null ? null : formatMemory(r.memory_limit),
    };
  }
  return out;
}
