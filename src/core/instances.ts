import type { InstanceControl, ServiceRecord, ServiceSpec } from './types.js';

/** Instance names of a service: `web` for one instance, `web-0` … `web-(N-1)` for N > 1. */
export function instanceNames(name: string, instances: number): string[] {
  if (instances === 1) return [name];
  return Array.from({ length: instances }, (_, index) => `${name}-${index}`);
}

/**
 * Label of a fleet's local copy of one instance (a local service named as
 * the instance): `SERVICE/INDEX`, so that its process sees the fleet's
 * HXE_SERVICE and HXE_INSTANCE rather than the local copy's.
 */
export const FLEET_INSTANCE_LABEL = 'hxe.fleet/instance';

/** The service and index a process is told (HXE_SERVICE, HXE_INSTANCE). */
export function envIdentity(spec: ServiceSpec, service: string, index: number): { service: string; index: number } {
  const match = /^(.+)\/(\d+)$/.exec(spec.labels[FLEET_INSTANCE_LABEL] ?? '');
  return match ? { service: match[1], index: Number(match[2]) } : { service, index };
}

export function instancesOf(record: ServiceRecord): string[] {
  return instanceNames(record.metadata.name, record.spec.instances);
}

/**
 * The other name index 0 has had: `web-0` when the service runs one instance
 * (named `web`), `web` when it runs several. Scaling between 1 and more
 * renames index 0 (same process, same HXE_INSTANCE=0) rather than replacing it.
 */
export function previousNameOf(service: string, index: number, instances: number): string | null {
  if (index !== 0 || instances === 0) return null;
  return instances === 1 ? `${service}-0` : service;
}

/**
 * What the manifest declares (`disabled = true`: desired stopped). The only
 * reader of `spec.disabled`; views, which carry no `hxe stop|start`, show this.
 */
export function declaredRunning(spec: ServiceSpec): boolean {
  return !spec.disabled;
}

/**
 * True when the service's desired state is running: what `hxe stop|start`
 * last asked (the record's `desiredState`), else what the manifest declares.
 */
export function wantsRunning(record: ServiceRecord): boolean {
  if (record.desiredState) return record.desiredState === 'running';
  return declaredRunning(record.spec);
}

/** True when instance `index` is desired running: its service is, and no `hxe stop NAME-i` holds it. */
export function wantsInstanceRunning(record: ServiceRecord, index: number): boolean {
  return wantsRunning(record) && !controlOf(record, index).stopped;
}

/** The restart nonce instance `index` must have honoured: the service's plus its own. */
export function restartNonceOf(record: ServiceRecord, index: number): number {
  return record.restartNonce + (controlOf(record, index).restartNonce ?? 0);
}

/** The start nonce instance `index` must have honoured: the service's plus its own. */
export function startNonceOf(record: ServiceRecord, index: number): number {
  return record.startNonce + (controlOf(record, index).startNonce ?? 0);
}

function controlOf(record: ServiceRecord, index: number): InstanceControl {
  return record.instanceControl?.[String(index)] ?? {};
}

/** The index of `name` among the instances of `record`, or null when it names none of them. */
export function indexOfInstance(record: ServiceRecord, name: string): number | null {
  const index = instancesOf(record).indexOf(name);
  return index === -1 ? null : index;
}

export type ControlAction = 'stop' | 'start' | 'restart';

/**
 * The record after `hxe stop|start|restart` of one instance. A start of one
 * instance of a stopped service starts that instance alone: the service
 * becomes desired running with every other instance held stopped.
 */
export function controlInstance(record: ServiceRecord, index: number, action: ControlAction): ServiceRecord {
  const controls: Record<string, InstanceControl> = { ...record.instanceControl };
  const own = { ...controls[String(index)] };
  let desiredState = record.desiredState;
  if (action === 'restart') own.restartNonce = (own.restartNonce ?? 0) + 1;
  if (action === 'stop') own.stopped = true;
  if (action === 'start') {
    if (!wantsRunning(record)) {
      desiredState = 'running';
      for (let other = 0; other < record.spec.instances; other++) controls[String(other)] = { ...controls[String(other)], stopped: true };
    }
    delete own.stopped;
    own.startNonce = (own.startNonce ?? 0) + 1;
  }
  controls[String(index)] = own;
  return { ...record, desiredState, instanceControl: controls };
}

/** The record after `hxe stop|start|restart` of the whole service: instances' stop holds are lifted. */
export function controlService(record: ServiceRecord, action: ControlAction): ServiceRecord {
  if (action === 'restart') return { ...record, restartNonce: record.restartNonce + 1 };
  const instanceControl = liftStops(record.instanceControl);
  if (action === 'stop') return { ...record, desiredState: 'stopped', instanceControl };
  return { ...record, desiredState: 'running', startNonce: record.startNonce + 1, instanceControl };
}

/** Instance controls of the indexes a service still has (scaling down forgets the rest). */
export function keepControls(controls: ServiceRecord['instanceControl'], instances: number): ServiceRecord['instanceControl'] {
  if (!controls) return undefined;
  const kept = Object.fromEntries(Object.entries(controls).filter(([index]) => Number(index) < instances));
  return Object.keys(kept).length > 0 ? kept : undefined;
}

function liftStops(controls: ServiceRecord['instanceControl']): ServiceRecord['instanceControl'] {
  if (!controls) return undefined;
  return Object.fromEntries(Object.entries(controls).map(([index, control]) => [index, { ...control, stopped: undefined }]));
}
