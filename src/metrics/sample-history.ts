/**
 * The last N samples of each instance, oldest first.
 */
import type { InstanceSample } from './sample.js';

export interface SampleHistory {
  add(sample: InstanceSample): void;
  /** A copy, oldest first; [] for an unknown instance. */
  list(instance: string): InstanceSample[];
  latest(instance: string): InstanceSample | undefined;
  forget(instance: string): void;
}

/** Keeps at most `retention` samples per instance (the oldest are dropped). */
export function createSampleHistory(retention: number): SampleHistory {
  const byInstance = new Map<string, InstanceSample[]>();
  return {
    add(sample) {
      const samples = byInstance.get(sample.instance) ?? [];
      samples.push(sample);
      if (samples.length > retention) samples.splice(0, samples.length - retention);
      byInstance.set(sample.instance, samples);
    },
    list: (instance) => [...(byInstance.get(instance) ?? [])],
    latest: (instance) => byInstance.get(instance)?.at(-1),
    forget: (instance) => void byInstance.delete(instance),
  };
}
