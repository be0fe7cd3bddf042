/** What `get`, `describe` and `nodes` show of a fleet, read from its buckets. */
import { instanceViews, pendingStatus } from '../api/views.js';
import type { InstanceStatus, InstanceView, ServiceRecord } from '../core/types.js';
import { ASSIGNMENTS_KEY, decode, type FleetBuckets } from './connection.js';
import { readDesired } from './desired.js';
import { readNodes, type NodeEntry } from './nodes.js';
import type { Assignments } from './placement.js';
import { readStatuses, statusKey, type FleetStatus } from './status.js';

export interface FleetState {
  records: ServiceRecord[];
  revision: number;
  assignments: Assignments;
  statuses: FleetStatus[];
  nodes: NodeEntry[];
}

export async function readFleet(buckets: FleetBuckets): Promise<FleetState> {
  const [desired, entry, statuses, nodes] = await Promise.all([
    readDesired(buckets.desired), buckets.sched.get(ASSIGNMENTS_KEY), readStatuses(buckets.status), readNodes(buckets.nodes),
  ]);
  const assignments = decode<Assignments>(entry?.value) ?? { instances: {}, pending: {} };
  return { records: desired.records, revision: desired.revision, assignments, statuses, nodes };
}

/** One row per instance with `status.node`: the status its assigned node wrote, or why it does not run. */
export function fleetViews(state: FleetState, records = state.records): InstanceView[] {
  const byKey = new Map(state.statuses.map((s) => [statusKey(s.node, s.instance), s.status]));
  const lost = new Set(state.nodes.filter((n) => n.state === 'lost').map((n) => n.name));
  const views = instanceViews(records, {});
  return views.map((view) => {
    const assigned = state.assignments.instances[view.name];
    if (!assigned) {
      const reason = state.assignments.pending[view.metadata.service] ?? 'not placed yet';
      return { ...view, status: { ...view.status, message: reason, node: null } };
    }
    const status: InstanceStatus = byKey.get(statusKey(assigned.node, view.name)) ?? pendingStatus(`assigned to ${assigned.node}`);
    const message = lost.has(assigned.node) ? `node ${assigned.node} is lost` : status.message;
    return { ...view, status: { ...status, ready: status.ready && !lost.has(assigned.node), message, node: assigned.node } };
  });
}

/** `hxe nodes`: NAME, STATE, LABELS, SERVICES (instances assigned), AGE. */
export function nodeRows(state: FleetState): { name: string; state: string; labels: Record<string, string>; services: number; joinedAt: string; heartbeatAt: string }[] {
  const counts = new Map<string, number>();
  for (const a of Object.values(state.assignments.instances)) counts.set(a.node, (counts.get(a.node) ?? 0) + 1);
  return state.nodes.map((n) => ({
    name: n.name, state: n.state, labels: n.labels, services: counts.get(n.name) ?? 0, joinedAt: n.joinedAt, heartbeatAt: n.heartbeatAt.toISOString(),
  }));
}
