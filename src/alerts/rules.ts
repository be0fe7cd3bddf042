/**
 * Does a rule's condition hold? Pure: facts and time in, a condition out.
 * Whether it has held long enough (`for`) is the engine's business, so that
 * every rule is timed the same way.
 */
import type { LifecycleState } from '../core/types.js';
import { formatDuration } from '../manifest/duration.js';
import { sampleValue, type InstanceFacts } from './facts.js';
import type { AlertRule } from './rule-config.js';

/** A condition that holds now. */
export interface Condition {
  /** Held continuously since (ms epoch): the alert's `startsAt`. */
  since: number;
  /** The measured value, for rules that measure one. */
  value?: number;
  summary: string;
}

/** The agent's store failing: a message since a time; null when it works. */
export interface StoreFault {
  message: string;
  since: number;
}

/**
 * The condition of `rule` for one instance, or null when it does not hold.
 * `store_error` and `host_*` rules are not about instances: see {@link checkStoreRule} and host-rules.ts.
 */
export function checkRule(rule: AlertRule, facts: InstanceFacts, now: number): Condition | null {
  switch (rule.type) {
    case 'memory':
    case 'cpu':
      return checkUsage(rule, facts);
    case 'restarts':
      return checkRestarts(rule, facts, now);
    case 'crashloop':
      return inState(facts.crashloopSince, facts, 'crashloop');
    case 'unhealthy':
      return inState(facts.unhealthySince, facts, 'unhealthy');
    case 'failed':
      return inState(facts.failedSince, facts, 'failed');
    case 'store_error':
    case 'host_cpu':
    case 'host_memory':
    case 'host_disk':
    case 'host_load':
      return null;
  }
}

/** The store-error condition: it holds while the store fails. */
export function checkStoreRule(fault: StoreFault | null): Condition | null {
  return fault ? { since: fault.since, summary: `store error: ${fault.message}` } : null;
}

function checkUsage(rule: AlertRule, facts: InstanceFacts): Condition | null {
  const since = facts.aboveSince[rule.name];
  if (since === undefined || facts.sample === null || rule.above === null) return null;
  const value = sampleValue(rule, facts.sample);
  const during = rule.for > 0 ? ` for ${formatDuration(rule.for)}` : '';
  const summary = rule.type === 'memory'
    ? `memory ${formatBytes(value)} above ${formatBytes(rule.above)}${during}`
    : `CPU ${formatPercent(value)} above ${formatPercent(rule.above)}${during}`;
  return { since, value, summary };
}

function checkRestarts(rule: AlertRule, facts: InstanceFacts, now: number): Condition | null {
  const limit = rule.above ?? 0;
  const recent = facts.restartTimes.filter((at) => at > now - rule.within);
  if (recent.length <= limit) return null;
  return {
    // The restart that went past the limit.
    since: recent[limit],
    value: recent.length,
    summary: `${recent.length} restarts within ${formatDuration(rule.within)} (more than ${limit})`,
  };
}

function inState(since: number | null, facts: InstanceFacts, state: LifecycleState): Condition | null {
  if (since === null) return null;
  const message = facts.messages[state] ?? '';
  const summary = message === '' ? state : message.startsWith(state) ? message : `${state}: ${message}`;
  return { since, summary };
}

const BINARY_UNITS = ['Ki', 'Mi', 'Gi', 'Ti'];

/** `950Mi`, `1.2Gi`, `512` (bytes): the manifest's own notation. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = '';
  for (const next of BINARY_UNITS) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${Number(value.toFixed(1))}${unit}`;
}

function formatPercent(percent: number): string {
  return `${Number(percent.toFixed(1))}%`;
}
