import { instancesOf } from '../core/instances.js';
import { redactSpec } from '../core/redact.js';
import type { InstanceStatus, InstanceView, ServiceRecord } from '../core/types.js';
import type { InstanceSample } from '../metrics/sample.js';

/** The status of an instance the agent has not acted on yet. */
export function pendingStatus(message = ''): InstanceStatus {
  return {
    state: 'pending', ready: false, pid: null, pidStartTime: null, pidBootId: null, pidCommand: null, restarts: 0, exitCode: null, signal: null,
    startedAt: null, observedGeneration: 0, message, lastProbe: null, updatedAt: new Date().toISOString(),
  };
}

/** One row per instance, secrets redacted: what `get`, `describe` and the API show. */
export function instanceViews(
  records: readonly ServiceRecord[],
  statuses: Record<string, InstanceStatus>,
  latest: (instance: string) => InstanceSample | undefined = () => undefined,
): InstanceView[] {
  const views: InstanceView[] = [];
  for (const record of records) {
    const spec = redactSpec(record.spec);
    const names = instancesOf(record);
    if (names.length === 0) {
      views.push(view(record, spec, record.metadata.name, 0, { ...pendingStatus('scaled to 0 instances'), state: 'stopped' }));
    }
    names.forEach((name, index) => {
      const status = statuses[name] ?? pendingStatus();
      const sample = status.pid ? latest(name) : undefined;
      const metrics = sample && sample.pid === status.pid ? { cpuPercent: sample.cpuPercent, memoryBytes: sample.memoryBytes, at: sample.at } : null;
      views.push(view(record, spec, name, index, { ...status, metrics }));
    });
  }
  return views;
}

function view(record: ServiceRecord, spec: ServiceRecord['spec'], name: string, index: number, status: InstanceView['status']): InstanceView {
  return { name, metadata: { ...record.metadata, service: record.metadata.name, instance: index }, spec, status };
}
