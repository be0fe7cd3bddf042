import { createHash } from 'node:crypto';
import type { ServiceSpec } from './types.js';

/**
 * A short digest of a spec, the same for equal specs whatever their key
 * order: tells whether a process found running was started from the spec
 * a record holds now.
 */
export function specFingerprint(spec: ServiceSpec): string {
  return createHash('sha256').update(canonical(spec)).digest('hex').slice(0, 12);
}

/** JSON with object keys sorted, at every depth. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
