/**
 * The metrics sampler: every interval, CPU and memory of every instance's
 * whole process group, from one /proc scan and one batched pidusage call.
 */
import { aggregateGroup, type CpuBaseline, type MeasuredMember } from './aggregate.js';
import { scanProcessGroups, type GroupMember } from './process-groups.js';
import type { InstanceSample, SampleTarget } from './sample.js';
import { createSampleHistory, type SampleHistory } from './sample-history.js';
import { createTicker } from './ticker.js';
import { createUsageReader, type ProcessUsage, type UsageReader } from './usage.js';

/** Samples kept per instance by default: one hour at a 10 s interval. */
export const DEFAULT_RETENTION = 360;

export interface MetricsSamplerOptions {
  /** Time between the end of one tick and the start of the next. */
  intervalMs: number;
  /** The instances to measure, asked at every collection. */
  targets: () => SampleTarget[];
  /** Called with the samples of every collection (ticks and `sampleNow`), possibly []. */
  onSample: (samples: InstanceSample[]) => void;
  /** Samples kept per instance (default DEFAULT_RETENTION). */
  retention?: number;
  /** Told about a failed tick (a throwing `targets` or `onSample`); errors never escape the timer. */
  onError?: (err: unknown) => void;
}

export interface MetricsSampler {
  /** Starts ticking (the first tick after one interval); idempotent. The timer never keeps the process alive. */
  start(): void;
  /** Stops ticking; a tick in flight finishes but schedules no other. */
  stop(): void;
  /** Collects at once; while a collection is in flight, returns that one instead of overlapping it. */
  sampleNow(): Promise<InstanceSample[]>;
  /** Kept samples of an instance, oldest first. */
  history(instance: string): InstanceSample[];
  latest(instance: string): InstanceSample | undefined;
  /** Drops an instance's history and CPU baseline (call when it is deleted). */
  forget(instance: string): void;
}

/**
 * Creates a sampler. An instance whose group has no live member (exited, or
 * a pid that is not a group leader) gets no sample. Targets with a pid below
 * 2 are ignored: group 0 or 1 would be this process's or the whole system's.
 */
export function createMetricsSampler(options: MetricsSamplerOptions): MetricsSampler {
  const history = createSampleHistory(options.retention ?? DEFAULT_RETENTION);
  const baselines = new Map<string, CpuBaseline>();
  // Longer than the interval: pidusage keeps its fds on /proc/PID/stat from one tick to the next.
  const readUsage = createUsageReader(Math.max(1_000, 1.5 * options.intervalMs));
  const collect = async () => {
    const samples = await collectSamples(options, { baselines, history, readUsage });
    options.onSample(samples);
    return samples;
  };
  const ticker = createTicker(options.intervalMs, collect, options.onError);
  return {
    start: ticker.start,
    stop: ticker.stop,
    sampleNow: ticker.runNow,
    history: (instance) => history.list(instance),
    latest: (instance) => history.latest(instance),
    forget(instance) {
      history.forget(instance);
      baselines.delete(instance);
    },
  };
}

interface SamplerState {
  baselines: Map<string, CpuBaseline>;
  history: SampleHistory;
  readUsage: UsageReader;
}

/** One collection: scan, one pidusage call, aggregate, record. */
async function collectSamples(options: MetricsSamplerOptions, state: SamplerState): Promise<InstanceSample[]> {
  const { baselines, history } = state;
  const targets = options.targets().filter((t) => Number.isInteger(t.pid) && t.pid > 1);
  const groups = scanProcessGroups(targets.map((t) => t.pid));
  const usage = await state.readUsage([...groups.values()].flat());
  const at = Date.now();
  const samples: InstanceSample[] = [];
  for (const target of targets) {
    const members = measure(groups.get(target.pid) ?? [], usage);
    const result = aggregateGroup(target, members, baselines.get(target.instance), at, options.intervalMs);
    if (!result) continue;
    baselines.set(target.instance, result.baseline);
    history.add(result.sample);
    samples.push(result.sample);
  }
  // A baseline of an instance that is no longer measured would only be stale later.
  const measured = new Set(samples.map((s) => s.instance));
  for (const instance of baselines.keys()) if (!measured.has(instance)) baselines.delete(instance);
  return samples;
}

function measure(members: GroupMember[], usage: Map<number, ProcessUsage>): MeasuredMember[] {
  return members.flatMap((member) => {
    const reading = usage.get(member.pid);
    return reading ? [{ ...member, ...reading }] : [];
  });
}
