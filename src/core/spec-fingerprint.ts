import { createHash } from 'node:crypto';
import { IN_PLACE_FIELDS } from './restart-fields.js';
import type { ServiceSpec } from './types.js';

/**
 * A short digest of the fields of a spec that shape its process (those
 * taken in place, as `instances` or `labels`, are left out), the same for
 * equal specs whatever their key order: tells whether a process found
 * running would need a restart to run the spec a record holds now.
 */
export function specFingerprint(spec: ServiceSpec): string {
  const shaping = Object.fromEntries(Object.entries(spec).filter(([key]) => !IN_PLACE_FIELDS.has(key as keyof ServiceSpec)));
  return createHash('sha256').update(canonical(shaping)).digest('hex').slice(0, 12);
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
