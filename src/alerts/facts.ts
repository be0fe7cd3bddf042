/**
 * What the alert rules need to know of one instance, kept up to date from
 * its status changes and metrics samples. Pure: each function returns new
 * facts and never touches the ones it was given.
 */
import { LIVE_STATES, type LifecycleState } from '../core/types.js';
import type { AlertRule } from './rule-config.js';
import type { AlertStatusInput, InstanceSample } from './types.js';

/**
 * A crashloop is over once an instance started from it stays up this long
 * (the default `crashloop.reset_after`). Resolving at the first `running`
 * would flap: every retry of a crashloop passes through `running`.
 */
export const CRASHLOOP_SETTLE_MS = 60_000;

/** Restart counts jump when an agent adopts old instances; no window needs more times than this. */
const MAX_RESTART_TIMES = 1_000;

/** States with a process that the sampler measures. */
const UP = new Set<LifecycleState>(['running', 'healthy']);
/** States that end every episode (crashloop, unhealthy): nothing is being retried. */
const AT_REST = new Set<LifecycleState>(['stopped', 'completed', 'failed']);

export interface InstanceFacts {
  state: LifecycleState | null;
  /** The last message seen in each state, for the alerts' summaries. */
  messages: Partial<Record<LifecycleState, string>>;
  /** The last `status.restarts` seen; null before the first status. */
  restarts: number | null;
  /** When each restart since the first status was seen, ascending. */
  restartTimes: number[];
  /** Up (`running` / `healthy`) continuously since. */
  upSince: number | null;
  /** Entered `crashloop` at; held through its retries until it settles or rests. */
  crashloopSince: number | null;
  /** Became `unhealthy` at; held through the restarts until it is healthy (or ready) or rests. */
  unhealthySince: number | null;
  failedSince: number | null;
  sample: InstanceSample | null;
  /** Per memory/cpu rule name: `at` of the first sample of the current run above its threshold. */
  aboveSince: Record<string, number>;
}

export function initialFacts(): InstanceFacts {
  return {
    state: null, messages: {}, restarts: null, restartTimes: [],
    upSince: null, crashloopSince: null, unhealthySince: null, failedSince: null,
    sample: null, aboveSince: {},
  };
}

/** Folds in a status change seen at `now`. */
export function applyStatus(previous: InstanceFacts, status: AlertStatusInput, now: number): InstanceFacts {
  const facts = settleFacts(previous, now);
  const state = status.state;
  const up = UP.has(state);
  const upSince = up ? (facts.upSince ?? now) : null;
  const rest = AT_REST.has(state);
  let unhealthySince = state === 'unhealthy' ? (facts.unhealthySince ?? now) : facts.unhealthySince;
  if (rest || state === 'healthy' || (up && status.ready === true)) unhealthySince = null;
  const live = LIVE_STATES.has(state);
  return {
    state,
    messages: { ...facts.messages, [state]: status.message },
    restarts: status.restarts,
    restartTimes: countRestarts(facts, status.restarts, now),
    upSince,
    crashloopSince: state === 'crashloop' ? (facts.crashloopSince ?? now) : rest ? null : facts.crashloopSince,
    unhealthySince,
    failedSince: state === 'failed' ? (facts.failedSince ?? now) : null,
    // A process that is gone uses nothing: its last sample must not keep an alert firing.
    sample: live ? facts.sample : null,
    aboveSince: live ? facts.aboveSince : {},
  };
}

/** One timestamp per restart the counter grew by; the first status only sets the baseline. */
function countRestarts(facts: InstanceFacts, restarts: number, now: number): number[] {
  if (facts.restarts === null || restarts <= facts.restarts) return facts.restartTimes;
  const added = Math.min(restarts - facts.restarts, MAX_RESTART_TIMES);
  return [...facts.restartTimes, ...Array<number>(added).fill(now)].slice(-MAX_RESTART_TIMES);
}

/** Folds in a metrics sample; `rules` are the memory/cpu rules that apply to the instance. */
export function applySample(facts: InstanceFacts, sample: InstanceSample, rules: readonly AlertRule[]): InstanceFacts {
  // A sample taken just before the process ended must not start a run that nothing would end.
  if (facts.state !== null && !LIVE_STATES.has(facts.state)) return facts;
  // A new process is a new run: the old one's usage says nothing about it.
  const previous = facts.sample && facts.sample.pid !== sample.pid ? {} : facts.aboveSince;
  const aboveSince: Record<string, number> = {};
  for (const rule of rules) {
    if (rule.above === null || sampleValue(rule, sample) <= rule.above) continue;
    aboveSince[rule.name] = previous[rule.name] ?? sample.at;
  }
  return { ...facts, sample, aboveSince };
}

/** The sample's value a memory or cpu rule compares: bytes or % of one core. */
export function sampleValue(rule: AlertRule, sample: InstanceSample): number {
  return rule.type === 'memory' ? sample.memoryBytes : sample.cpuPercent;
}

/**
 * Lets time pass: restart times older than `window` are forgotten and a
 * crashloop that stayed up {@link CRASHLOOP_SETTLE_MS} is over. Returns the
 * same object when nothing changed.
 */
export function settleFacts(facts: InstanceFacts, now: number, window = Infinity): InstanceFacts {
  const settled = facts.crashloopSince !== null && facts.upSince !== null && now - facts.upSince >= CRASHLOOP_SETTLE_MS;
  const firstKept = facts.restartTimes.findIndex((at) => at > now - window);
  const stale = firstKept === -1 ? facts.restartTimes.length : firstKept;
  if (!settled && stale === 0) return facts;
  return { ...facts, crashloopSince: settled ? null : facts.crashloopSince, restartTimes: facts.restartTimes.slice(stale) };
}
