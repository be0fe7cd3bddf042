import { HxeError } from '../core/errors.js';
import type { InstanceStatus, ServiceRecord, SyncRecord } from '../core/types.js';

/** The on-disk format version; bump it with a migration below. */
export const STORE_FORMAT = 1;

export interface StoreDocument {
  format: number;
  revision: number;
  services: Record<string, ServiceRecord>;
  statuses: Record<string, InstanceStatus>;
  /** Registered sync paths (GitOps), by path. */
  syncs: Record<string, SyncRecord>;
}

/**
 * Brings a document read from disk to the current format. Older formats are
 * migrated step by step; a newer one (written by a newer hxe) is refused
 * rather than rewritten and lost.
 */
export function migrateDocument(data: unknown, file: string): StoreDocument {
  if (!isObject(data) || typeof data.format !== 'number') {
    throw new HxeError('STORE_CORRUPT', `store ${file} has no format version; it was not written by hxe`);
  }
  if (data.format > STORE_FORMAT) {
    throw new HxeError(
      'STORE_CORRUPT',
      `store ${file} has format ${data.format}, newer than this hxe understands (${STORE_FORMAT}); upgrade hxe`,
    );
  }
  // Format 1 is the first; future migrations go here: if (format === 1) { ...; format = 2 }.
  return {
    format: STORE_FORMAT,
    revision: Number(data.revision) || 0,
    services: isObject(data.services) ? (data.services as Record<string, ServiceRecord>) : {},
    statuses: isObject(data.statuses) ? (data.statuses as Record<string, InstanceStatus>) : {},
    syncs: isObject(data.syncs) ? (data.syncs as Record<string, SyncRecord>) : {},
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
