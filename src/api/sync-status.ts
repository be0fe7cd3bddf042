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
    if (isConverged(view)) continue;
    const { status } = view;
    const reason = status.observedGeneration !== view.metadata.generation
      ? `runs generation ${status.observedGeneration}, desired ${view.metadata.generation}${status.message ? `: ${status.message}` : ''}`
      : `${status.state}${status.message ? `: ${status.message}` : ''}`;
    drift.push({ name: view.name, reason });
  }
  return { ...record, drift };
}

/**
 * Where a synced path's instance shows no drift: it runs the stored
 * generation and is where its declaration puts it (stopped when disabled;
 * otherwise ready, or completed).
 */
export function isConverged(view: InstanceView): boolean {
  const { status } = view;
  if (status.observedGeneration !== view.metadata.generation) return false;
  return declaredRunning(view.spec) ? status.ready || status.state === 'completed' : status.state === 'stopped';
}
