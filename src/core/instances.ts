import type { ServiceRecord, ServiceSpec } from './types.js';

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

/** True when the service's desired state is running (neither disabled nor stopped by `hxe stop`). */
export function wantsRunning(record: ServiceRecord): boolean {
  if (record.desiredState) return record.desiredState === 'running';
  return !record.spec.disabled;
}
