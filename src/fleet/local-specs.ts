/**
 * An agent's share of the fleet as local services: one local record per
 * assigned instance, named as the instance, so the agent's own controller
 * and lifecycle run it unchanged (and keep running it without NATS).
 */
import { FLEET_INSTANCE_LABEL, restartNonceOf, wantsInstanceRunning } from '../core/instances.js';
import type { DesiredService, ServiceRecord } from '../core/types.js';
import type { Assignments } from './placement.js';

/** A label of the local copy: the fleet's restart nonce, so that `hxe restart` reaches the node once. */
export const RESTART_LABEL = 'hxe.fleet/restart';

/** The services this node runs, from the fleet's records and assignments. */
export function localServices(node: string, records: readonly ServiceRecord[], assignments: Assignments): DesiredService[] {
  const byService = new Map(records.map((r) => [r.metadata.name, r]));
  const mine = Object.entries(assignments.instances).filter(([, a]) => a.node === node && byService.has(a.service));
  const localOf = new Map<string, string[]>();
  for (const [instance, a] of mine) localOf.set(a.service, [...(localOf.get(a.service) ?? []), instance]);
  return mine.map(([instance, a]) => {
    const record = byService.get(a.service)!;
    const { placement: _placement, ...spec } = record.spec;
    return {
      name: instance,
      file: record.metadata.file ?? '',
      line: null,
      spec: {
        ...spec,
        instances: 1,
        // The service's and this instance's own stop/start/restart (`hxe stop api-1`), as on one host.
        disabled: !wantsInstanceRunning(record, a.index),
        // Dependencies are honoured between instances on the same node (docs/fleet.md).
        depends_on: spec.depends_on.flatMap((d) => localOf.get(d) ?? []),
        labels: { ...spec.labels, [RESTART_LABEL]: String(restartNonceOf(record, a.index)), [FLEET_INSTANCE_LABEL]: `${a.service}/${a.index}` },
      },
    };
  });
}
