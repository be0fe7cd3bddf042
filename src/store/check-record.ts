import { z } from 'zod';
import type { ServiceRecord, SyncRecord } from '../core/types.js';
import { decodeSpec } from '../manifest/decode-spec.js';
import { formatFieldPath } from '../manifest/field-path.js';
import { errorMap } from '../manifest/zod-issues.js';

const recordShape = z.looseObject({
  metadata: z.looseObject({
    name: z.string(),
    generation: z.int().min(0),
    createdAt: z.string(),
    updatedAt: z.string(),
    source: z.string(),
    labels: z.record(z.string(), z.string()),
    file: z.string().nullable(),
  }),
  spec: z.unknown(),
  desiredState: z.enum(['running', 'stopped']).nullable(),
  restartNonce: z.int(),
  startNonce: z.int(),
});

const syncShape = z.looseObject({
  path: z.string(),
  prune: z.boolean(),
  recursive: z.boolean(),
  createdAt: z.string(),
  lastApplied: z.looseObject({ at: z.string(), hash: z.string() }).nullable(),
  lastError: z.looseObject({ at: z.string(), message: z.string() }).nullable(),
  declared: z.array(z.string()),
});

/** A sync registration read from the store, or why it cannot be used. */
export function checkSync(key: string, value: unknown): { record: SyncRecord } | { reason: string } {
  const shape = syncShape.safeParse(value, { error: errorMap });
  if (!shape.success) return { reason: describe(shape.error.issues) };
  if (shape.data.path !== key) return { reason: `path: ${JSON.stringify(shape.data.path)} differs from its key ${JSON.stringify(key)}` };
  return { record: shape.data as SyncRecord };
}

/**
 * A service record read from the store, checked as an apply is: its spec by
 * the manifest's schema and rules. Returns the record (its spec normalised),
 * or why it cannot be used.
 */
export function checkRecord(name: string, value: unknown): { record: ServiceRecord } | { reason: string } {
  const shape = recordShape.safeParse(value, { error: errorMap });
  if (!shape.success) return { reason: describe(shape.error.issues) };
  if (shape.data.metadata.name !== name) return { reason: `metadata.name: ${JSON.stringify(shape.data.metadata.name)} differs from its key ${JSON.stringify(name)}` };
  const decoded = decodeSpec(name, shape.data.spec);
  if (!decoded.spec) return { reason: describe(decoded.issues.map((issue) => ({ ...issue, path: ['spec', ...issue.path] }))) };
  return { record: { ...(shape.data as ServiceRecord), spec: decoded.spec } };
}

function describe(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .map((issue) => {
      const path = formatFieldPath(issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol'));
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}
