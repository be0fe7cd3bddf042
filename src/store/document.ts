import { createHash } from 'node:crypto';
import { HxeError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import type { InstanceStatus, ServiceRecord, SyncRecord } from '../core/types.js';
import { checkRecord, checkSync } from './check-record.js';
import type { SetAsideRecord } from './store.js';

/** The on-disk format version; bump it with a migration below. */
export const STORE_FORMAT = 1;

export interface StoreDocument {
  format: number;
  revision: number;
  services: Record<string, ServiceRecord>;
  statuses: Record<string, InstanceStatus>;
  /** Registered sync paths (GitOps), by path. */
  syncs: Record<string, SyncRecord>;
  /** Records that failed validation when read: kept here, unused, until deleted. Absent in older documents. */
  setAside: Record<string, SetAsideRecord>;
  /** {@link servicesDigest} of `services` as written: equal at the next read, they need no check again. */
  checked?: string;
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
  const setAside = isObject(data.setAside) ? { ...(data.setAside as Record<string, SetAsideRecord>) } : {};
  return {
    format: STORE_FORMAT,
    revision: Number(data.revision) || 0,
    services: data.checked === servicesDigest(data.services)
      ? (data.services as Record<string, ServiceRecord>)
      : checkServices(data.services, setAside),
    statuses: checkStatuses(data.statuses),
    syncs: checkSyncs(data.syncs, setAside),
    setAside,
  };
}

/**
 * A digest of the service records exactly as this hxe wrote them (after
 * checking each). A store edited by hand, or written by another version,
 * does not match and is checked in full.
 */
export function servicesDigest(services: unknown): string {
  return createHash('sha256').update(VERSION).update('\0').update(JSON.stringify(services) ?? '').digest('base64url');
}

/**
 * The usable service records; each that fails the checks an apply makes is
 * moved to `setAside` with the reason (one bad record must not keep the
 * agent, or every other service, from running).
 */
function checkServices(services: unknown, setAside: Record<string, SetAsideRecord>): Record<string, ServiceRecord> {
  const usable: Record<string, ServiceRecord> = {};
  if (!isObject(services)) return usable;
  const at = new Date().toISOString();
  for (const [name, value] of Object.entries(services)) {
    const checked = checkRecord(name, value);
    if ('record' in checked) usable[name] = checked.record;
    else setAside[setAsideKey(name, setAside)] = { name, reason: checked.reason, at, record: value };
  }
  return usable;
}

/** Statuses that are not even objects are dropped: they hold no process to adopt, and the agent observes afresh. */
function checkStatuses(statuses: unknown): Record<string, InstanceStatus> {
  if (!isObject(statuses)) return {};
  return Object.fromEntries(Object.entries(statuses).filter(([, status]) => isObject(status) && typeof status.state === 'string')) as Record<string, InstanceStatus>;
}

/** Sync registrations, each unusable one set aside as `sync <path>` (`hxe sync --stop` cannot reach it; the store keeps it). */
function checkSyncs(syncs: unknown, setAside: Record<string, SetAsideRecord>): Record<string, SyncRecord> {
  const usable: Record<string, SyncRecord> = {};
  if (!isObject(syncs)) return usable;
  for (const [key, value] of Object.entries(syncs)) {
    const checked = checkSync(key, value);
    if ('record' in checked) usable[key] = checked.record;
    else setAside[setAsideKey(`sync ${key}`, setAside)] = { name: `sync ${key}`, reason: checked.reason, at: new Date().toISOString(), record: value };
  }
  return usable;
}

/** The name, or `name (2)`… when an earlier copy of it is already set aside: none is overwritten. */
function setAsideKey(name: string, setAside: Record<string, SetAsideRecord>): string {
  let key = name;
  for (let n = 2; Object.hasOwn(setAside, key); n++) key = `${name} (${n})`;
  return key;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
