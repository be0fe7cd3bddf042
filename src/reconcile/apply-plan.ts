import { byName as compareNames } from '../core/compare.js';
import jsonpatch from 'fast-json-patch';
import type { DesiredService, ServiceRecord, ServiceSpec } from '../core/types.js';
import { isSecretPath, REDACTED } from '../core/redact.js';
import { needsRestart } from '../core/restart-fields.js';
import { instanceNames, keepControls, wantsInstanceRunning } from '../core/instances.js';

/** One field-level change of a spec, as fast-json-patch reports it. */
export interface FieldChange {
  op: 'add' | 'remove' | 'replace';
  /** Dotted field path, e.g. `health_check.interval` or `environment.API_KEY`. */
  path: string;
  from?: unknown;
  to?: unknown;
}

export type ServiceChangeKind = 'create' | 'update' | 'delete' | 'unchanged';

export interface ServiceChange {
  name: string;
  kind: ServiceChangeKind;
  /** Generation after the apply (for delete: the last one). */
  generation: number;
  changes: FieldChange[];
  /** True when running instances will be restarted (rolling) because of this change. */
  restart: boolean;
  /** The instances that restart (by their names after the apply); scaling alone restarts none. */
  restartInstances?: string[];
  /** Set when the service moves from another source set to this one. */
  previousSource?: string;
}

/** What the plan changes, per service: what `diff` and `apply` print. Holds no secret value. */
export interface PlanSummary {
  source: string;
  services: ServiceChange[];
}

export interface ApplyPlan extends PlanSummary {
  /** The store batch that carries the plan out (holds the specs, secrets included). */
  put: ServiceRecord[];
  delete: string[];
}

export interface ApplyOptions {
  /** The apply's source set (files or synced path). */
  source: string;
  /** Remove services that this source set applied before and no longer names. */
  prune: boolean;
  now: string;
}

/**
 * What an apply of `desired` onto the stored `current` services changes.
 * Pure: `hxe diff`, `apply --dry-run` and `apply` all print or carry out
 * this very plan, so they cannot disagree.
 */
export function planApply(current: readonly ServiceRecord[], desired: readonly DesiredService[], options: ApplyOptions): ApplyPlan {
  const byName = new Map(current.map((record) => [record.metadata.name, record]));
  const plan: ApplyPlan = { source: options.source, services: [], put: [], delete: [] };
  for (const service of desired) {
    const existing = byName.get(service.name);
    const change = existing ? planUpdate(existing, service, options) : planCreate(service, options);
    plan.services.push(change.change);
    if (change.record) plan.put.push(change.record);
  }
  if (options.prune) {
    const named = new Set(desired.map((service) => service.name));
    for (const record of current) {
      if (record.metadata.source !== options.source || named.has(record.metadata.name)) continue;
      plan.services.push({
        name: record.metadata.name, kind: 'delete', generation: record.metadata.generation, changes: [], restart: false,
      });
      plan.delete.push(record.metadata.name);
    }
  }
  plan.services.sort((a, b) => compareNames(a.name, b.name));
  return plan;
}

/** True when the plan would change anything in the store. */
export function planHasChanges(plan: PlanSummary): boolean {
  return plan.services.some((service) => service.kind !== 'unchanged');
}

function planCreate(service: DesiredService, options: ApplyOptions) {
  const record: ServiceRecord = {
    metadata: {
      name: service.name,
      generation: 1,
      createdAt: options.now,
      updatedAt: options.now,
      source: options.source,
      labels: service.spec.labels,
      file: service.file,
    },
    spec: service.spec,
    desiredState: null,
    restartNonce: 0,
    startNonce: 0,
  };
  const change: ServiceChange = { name: service.name, kind: 'create', generation: 1, changes: [], restart: false };
  return { change, record };
}

function planUpdate(existing: ServiceRecord, service: DesiredService, options: ApplyOptions) {
  // The steady state of a large apply is "unchanged": a deep equality settles it without building patches.
  const changes = sameJson(existing.spec, service.spec) ? [] : diffSpecs(existing.spec, service.spec);
  const sourceMoved = existing.metadata.source !== options.source;
  const fileMoved = existing.metadata.file !== service.file;
  const generation = existing.metadata.generation + (changes.length > 0 ? 1 : 0);
  const restarting = changes.length > 0 ? restartedInstances(existing, service.spec) : [];
  const change: ServiceChange = {
    name: service.name,
    kind: changes.length > 0 ? 'update' : 'unchanged',
    generation,
    changes,
    restart: restarting.length > 0,
    ...(restarting.length > 0 ? { restartInstances: restarting } : {}),
    ...(sourceMoved ? { previousSource: existing.metadata.source } : {}),
  };
  if (changes.length === 0 && !sourceMoved && !fileMoved) return { change, record: null };
  const record: ServiceRecord = {
    ...existing,
    metadata: {
      ...existing.metadata,
      generation,
      updatedAt: changes.length > 0 ? options.now : existing.metadata.updatedAt,
      source: options.source,
      labels: service.spec.labels,
      file: service.file,
    },
    spec: service.spec,
    instanceControl: keepControls(existing.instanceControl, service.spec.instances),
  };
  if (!record.instanceControl) delete record.instanceControl;
  return { change, record };
}

/**
 * The instances a spec change restarts: those that stay (index below both
 * counts) and are desired running, named as after the apply. Instances
 * added or removed by scaling are started or stopped, not restarted.
 */
function restartedInstances(existing: ServiceRecord, spec: ServiceSpec): string[] {
  if (!needsRestart(existing.spec, spec)) return [];
  const staying = Math.min(existing.spec.instances, spec.instances);
  const after = { ...existing, spec };
  return instanceNames(existing.metadata.name, spec.instances)
    .filter((_, index) => index < staying && wantsInstanceRunning(existing, index) && wantsInstanceRunning(after, index));
}

/**
 * Field-level changes between two specs; arrays are compared as whole values
 * (readable for people). Secret values are replaced by `(redacted)`: a
 * change says that a secret changed, never what it was or became.
 */
export function diffSpecs(before: ServiceSpec, after: ServiceSpec): FieldChange[] {
  const changes = new Map<string, FieldChange>();
  for (const op of jsonpatch.compare(before, after)) {
    if (op.op !== 'add' && op.op !== 'remove' && op.op !== 'replace') continue;
    const segments = op.path.split('/').slice(1).map(unescapePointer);
    const arrayAt = findArrayPrefix(before, after, segments);
    const fieldSegments = arrayAt === -1 ? segments : segments.slice(0, arrayAt + 1);
    const path = fieldSegments.join('.');
    if (changes.has(path)) continue;
    const secret = isSecretPath(path);
    const from = secret ? redacted(valueAt(before, fieldSegments)) : valueAt(before, fieldSegments);
    const to = secret ? redacted(valueAt(after, fieldSegments)) : valueAt(after, fieldSegments);
    const kind = from === undefined ? 'add' : to === undefined ? 'remove' : 'replace';
    changes.set(path, { op: kind, path, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
  }
  return [...changes.values()].sort((a, b) => compareNames(a.path, b.path));
}

/**
 * Deep equality of JSON values, key order aside: whenever it holds, jsonpatch.compare finds no change.
 * Not util.isDeepStrictEqual: planApply of 10,000 took 55 ms with it, 27 ms with this.
 */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/** Index of the first segment whose value is an array on either side, or -1. */
function findArrayPrefix(before: unknown, after: unknown, segments: string[]): number {
  for (let i = 0; i < segments.length; i++) {
    const prefix = segments.slice(0, i + 1);
    if (Array.isArray(valueAt(before, prefix)) || Array.isArray(valueAt(after, prefix))) return i;
  }
  return -1;
}

function redacted(value: unknown): unknown {
  return value === undefined ? undefined : REDACTED;
}

function valueAt(root: unknown, segments: string[]): unknown {
  let value: unknown = root;
  for (const segment of segments) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
