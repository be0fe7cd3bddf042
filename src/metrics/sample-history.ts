/**
 * The last N samples of each instance, oldest first. Kept as numbers in one
 * ring of doubles per instance (48 bytes a sample): as objects they took
 * ~140 bytes each, and an hour of 1,000 instances at 10 s (the default
 * retention) held 51 MB of the agent's heap.
 */
import type { InstanceSample } from './sample.js';

export interface SampleHistory {
  add(sample: InstanceSample): void;
  /** A copy, oldest first; [] for an unknown instance. */
  list(instance: string): InstanceSample[];
  latest(instance: string): InstanceSample | undefined;
  forget(instance: string): void;
}

/** The numbers of a sample, in this order, in each slot of a ring. */
const FIELDS = 6;
/** A ring starts small and doubles up to the retention: a long retention costs only what is kept. */
const FIRST_CAPACITY = 16;

interface Ring {
  values: Float64Array;
  /** The slot of the oldest sample. */
  start: number;
  count: number;
  latest: InstanceSample;
}

/** Keeps at most `retention` samples per instance (the oldest are dropped). */
export function createSampleHistory(retention: number): SampleHistory {
  const rings = new Map<string, Ring>();
  return {
    add(sample) {
      let ring = rings.get(sample.instance);
      if (!ring) {
        ring = { values: new Float64Array(Math.min(FIRST_CAPACITY, retention) * FIELDS), start: 0, count: 0, latest: sample };
        rings.set(sample.instance, ring);
      }
      write(ring, sample, retention);
    },
    list(instance) {
      const ring = rings.get(instance);
      if (!ring) return [];
      const capacity = ring.values.length / FIELDS;
      const samples: InstanceSample[] = [];
      for (let i = 0; i < ring.count; i++) samples.push(read(ring.values, ((ring.start + i) % capacity) * FIELDS, instance));
      return samples;
    },
    latest: (instance) => rings.get(instance)?.latest,
    forget: (instance) => void rings.delete(instance),
  };
}

function write(ring: Ring, sample: InstanceSample, retention: number): void {
  let capacity = ring.values.length / FIELDS;
  if (ring.count === capacity && capacity < retention) {
    // Full but allowed to grow: nothing was dropped yet, so the oldest is in slot 0.
    const grown = new Float64Array(Math.min(capacity * 2, retention) * FIELDS);
    grown.set(ring.values);
    ring.values = grown;
    capacity = grown.length / FIELDS;
  }
  let slot: number;
  if (ring.count < capacity) {
    slot = (ring.start + ring.count) % capacity;
    ring.count++;
  } else {
    slot = ring.start; // the oldest goes
    ring.start = (ring.start + 1) % capacity;
  }
  const at = slot * FIELDS;
  const values = ring.values;
  values[at] = sample.pid;
  values[at + 1] = sample.at;
  values[at + 2] = sample.cpuPercent;
  values[at + 3] = sample.cpuSeconds;
  values[at + 4] = sample.memoryBytes;
  values[at + 5] = sample.processes;
  ring.latest = sample;
}

function read(values: Float64Array, at: number, instance: string): InstanceSample {
  return {
    instance,
    pid: values[at],
    at: values[at + 1],
    cpuPercent: values[at + 2],
    cpuSeconds: values[at + 3],
    memoryBytes: values[at + 4],
    processes: values[at + 5],
  };
}
