import { declaredRunning } from '../core/instances.js';
import type { InstanceView, SyncRecord } from '../core/types.js';

/** One service of a synced path that does not run what the path declares, and why. */
export interface Drift {
  name: string;
  reason: string;
}

export interface SyncStatus extends SyncRecord {
  drift: Drift[];
}

/**
 * A registration with its drift: instances of its services whose running
 * generation is not the stored one, or that are not ready, with the reason
 * (waiting on a dependency, crashlooping...); a refused edit makes the whole
 * path drift from its files.
 */
export function syncStatus(record: SyncRecord, views: InstanceView[]): SyncStatus {
  const drift: Drift[] = [];
  for (const view of views) {
    if (view.metadata.source !== record.path) continue;
    const { status } = view;
    const settled = !declaredRunning(view.spec) ? status.state === 'stopped' : status.ready || status.state === 'completed';
    if (status.observedGeneration === view.metadata.generation && settled) continue;
    const reason = status.observedGeneration !== view.metadata.generation
      ? `runs generation ${status.observedGeneration}, desired ${view.metadata.generation}${status.message ? `: ${status.message}` : ''}`
      : `${status.state}${status.message ? `: ${status.message}` : ''}`;
    drift.push({ name: view.name, reason });
  }
  return { ...record, drift };
}
