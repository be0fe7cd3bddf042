/**
 * Placement: which node runs each instance. Pure and deterministic: the same
 * specs, nodes and previous assignments give the same result on any node.
 */
import { byName } from '../core/compare.js';
import { instancesOf } from '../core/instances.js';
import type { ServiceRecord } from '../core/types.js';

/** A node as the scheduler sees it. */
export interface NodeView {
  name: string;
  labels: Record<string, string>;
  ready: boolean;
}

/** Where one instance runs. */
export interface Assignment {
  node: string;
  service: string;
  index: number;
}

/** The scheduler's one document: every instance's node, and why a service could not be placed. */
export interface Assignments {
  instances: Record<string, Assignment>;
  /** Service → reason, for instances nothing can run (shown as pending). */
  pending: Record<string, string>;
}

/** The nodes that may run `record`, ready or not. */
function matching(record: ServiceRecord, nodes: readonly NodeView[]): NodeView[] {
  const placement = record.spec.placement;
  if (!placement) return [...nodes];
  return nodes.filter((node) => (placement.node === null || node.name === placement.node)
    && Object.entries(placement.labels).every(([key, value]) => node.labels[key] === value));
}

function describePlacement(record: ServiceRecord): string {
  const placement = record.spec.placement;
  if (!placement) return 'any node';
  const parts = [];
  if (placement.node !== null) parts.push(`node ${placement.node}`);
  const labels = Object.entries(placement.labels).map(([k, v]) => `${k}=${v}`).join(',');
  if (labels) parts.push(`labels ${labels}`);
  return parts.join(' and ');
}

/**
 * Assigns every instance of `records` to one node. An instance keeps its
 * node while that node is ready and eligible; others go to the eligible
 * ready node with the fewest instances (then by name). An instance pinned by
 * `placement.node` stays on that node while it is lost (never moved
 * elsewhere). An instance with no eligible ready node is left out, and its
 * service gets a pending reason.
 */
export function placeInstances(records: readonly ServiceRecord[], nodes: readonly NodeView[], previous: Assignments): Assignments {
  const result: Assignments = { instances: {}, pending: {} };
  const load = new Map(nodes.filter((n) => n.ready).map((n) => [n.name, 0]));
  const sorted = [...records].sort((a, b) => byName(a.metadata.name, b.metadata.name));
  const toPlace: { record: ServiceRecord; name: string; index: number; eligible: NodeView[] }[] = [];
  // First pass: keep what stays, so new instances spread around the kept load.
  for (const record of sorted) {
    const all = matching(record, nodes);
    const eligible = all.filter((n) => n.ready);
    instancesOf(record).forEach((name, index) => {
      const before = previous.instances[name]?.node;
      const pinnedLost = record.spec.placement?.node && all.length > 0 && eligible.length === 0;
      if (before && (eligible.some((n) => n.name === before) || (pinnedLost && before === record.spec.placement?.node))) {
        result.instances[name] = { node: before, service: record.metadata.name, index };
        if (load.has(before)) load.set(before, load.get(before)! + 1);
      } else toPlace.push({ record, name, index, eligible });
    });
  }
  for (const { record, name, index, eligible } of toPlace) {
    const service = record.metadata.name;
    if (eligible.length === 0) {
      result.pending[service] = pendingReason(record, nodes);
      continue;
    }
    const node = eligible.reduce((best, n) => (load.get(n.name)! < load.get(best.name)! || (load.get(n.name) === load.get(best.name) && byName(n.name, best.name) < 0) ? n : best));
    result.instances[name] = { node: node.name, service, index };
    load.set(node.name, load.get(node.name)! + 1);
  }
  return result;
}

function pendingReason(record: ServiceRecord, nodes: readonly NodeView[]): string {
  const all = matching(record, nodes);
  if (all.length === 0) return `no node matches placement (${describePlacement(record)})`;
  return `no ready node matches placement (${describePlacement(record)}): ${all.map((n) => `${n.name} is lost`).join(', ')}`;
}

/** True when two assignment documents say the same. */
export function sameAssignments(a: Assignments, b: Assignments): boolean {
  return JSON.stringify(sortKeys(a.instances)) === JSON.stringify(sortKeys(b.instances))
    && JSON.stringify(sortKeys(a.pending)) === JSON.stringify(sortKeys(b.pending));
}

function sortKeys<T>(record: Record<string, T>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => byName(a, b));
}
