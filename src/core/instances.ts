import type { ServiceRecord } from './types.js';

/** Instance names of a service: `web` for one instance, `web-0` … `web-(N-1)` for N > 1. */
export function instanceNames(name: string, instances: number): string[] {
  if (instances === 1) return [name];
  return Array.from({ length: instances }, (_, index) => `${name}-${index}`);
}

export function instancesOf(record: ServiceRecord): string[] {
  return instanceNames(record.metadata.name, record.spec.instances);
}

/** True when the service's desired state is running (neither disabled nor stopped by `hxe stop`). */
export function wantsRunning(record: ServiceRecord): boolean {
  if (record.desiredState) return record.desiredState === 'running';
  return !record.spec.disabled;
}
