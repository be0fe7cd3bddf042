/**
 * Alert rules as configured: the defaults of each rule type, the rules that
 * apply without any configuration, and the decoding of one `rule "NAME"`
 * block into a complete {@link AlertRule}.
 */
import { errorMessage } from '../core/errors.js';
import { parseMemory } from '../manifest/quantity.js';
import { RULE_TYPES, type AlertRuleType, type AlertSeverity } from './types.js';

/** One rule, normalised: durations in ms, memory in bytes, CPU in % of one core. */
export interface AlertRule {
  name: string;
  type: AlertRuleType;
  severity: AlertSeverity;
  /** Service or instance names or globs (`web-*`); empty: every instance. */
  services: string[];
  /** memory: bytes; cpu: % of one core; restarts: count (fires when exceeded); null for the other types. */
  above: number | null;
  /** How long the condition must hold before the alert fires, ms. */
  for: number;
  /** restarts: the sliding window the restarts are counted in, ms; 0 for the other types. */
  within: number;
}

type TunableField = 'above' | 'for' | 'within';

interface TypeDefaults {
  severity: AlertSeverity;
  /** null: `above` must be given. */
  above: number | null;
  for: number;
  within: number;
  /** The tunable fields that mean something for this type; the others are refused. */
  fields: readonly TunableField[];
}

const MINUTE = 60_000;

/** Per type: what an unset field means. */
export const RULE_TYPE_DEFAULTS: Readonly<Record<AlertRuleType, TypeDefaults>> = {
  memory: { severity: 'warning', above: null, for: MINUTE, within: 0, fields: ['above', 'for'] },
  cpu: { severity: 'warning', above: null, for: MINUTE, within: 0, fields: ['above', 'for'] },
  restarts: { severity: 'warning', above: 5, for: 0, within: 5 * MINUTE, fields: ['above', 'within'] },
  crashloop: { severity: 'critical', above: null, for: 0, within: 0, fields: ['for'] },
  unhealthy: { severity: 'warning', above: null, for: MINUTE, within: 0, fields: ['for'] },
  failed: { severity: 'critical', above: null, for: 0, within: 0, fields: ['for'] },
  store_error: { severity: 'critical', above: null, for: 0, within: 0, fields: ['for'] },
  host_cpu: { severity: 'warning', above: 90, for: 5 * MINUTE, within: 0, fields: ['above', 'for'] },
  host_memory: { severity: 'warning', above: 90, for: 5 * MINUTE, within: 0, fields: ['above', 'for'] },
  host_disk: { severity: 'warning', above: 90, for: MINUTE, within: 0, fields: ['above', 'for'] },
  host_load: { severity: 'warning', above: null, for: 5 * MINUTE, within: 0, fields: ['above', 'for'] },
};

/**
 * The rules that apply without configuration, each named after its type:
 * a `rule` block of the same name replaces one (`enabled = false` drops it).
 * Memory and CPU have no sensible threshold without knowing the service.
 */
export const DEFAULT_RULE_TYPES: readonly AlertRuleType[] = ['crashloop', 'failed', 'restarts', 'unhealthy', 'store_error'];

/** The rule of `type` with every field at its default. */
export function defaultRule(name: string, type: AlertRuleType): AlertRule {
  const defaults = RULE_TYPE_DEFAULTS[type];
  return { name, type, severity: defaults.severity, services: [], above: defaults.above, for: defaults.for, within: defaults.within };
}

/** A `rule` block once its fields have their own types (durations already in ms). */
export interface RuleInput {
  type?: AlertRuleType;
  enabled: boolean;
  severity?: AlertSeverity;
  above?: string | number;
  for?: number;
  within?: number;
  services?: string[];
}

export interface RuleIssue {
  /** Inside the rule block: `above`, `type`, or '' for the block. */
  field: string;
  message: string;
}

/**
 * Completes one rule block. The type may be left out when the name is a
 * type (`rule "restarts" { above = 10 }` tunes the default rule). Returns
 * every problem at once.
 */
export function resolveRule(name: string, input: RuleInput): { rule: AlertRule } | { issues: RuleIssue[] } {
  const type = input.type ?? (isRuleType(name) ? name : null);
  if (type === null) return { issues: [{ field: 'type', message: `missing, expected one of ${RULE_TYPES.join(', ')}` }] };
  const defaults = RULE_TYPE_DEFAULTS[type];
  const issues: RuleIssue[] = [];
  for (const field of ['above', 'for', 'within'] as const) {
    if (input[field] !== undefined && !defaults.fields.includes(field)) {
      issues.push({ field, message: `not used by rules of type ${type} (they use ${defaults.fields.join(', ')})` });
    }
  }
  if (input.within === 0 && defaults.fields.includes('within')) issues.push({ field: 'within', message: 'expected a duration above 0 such as "5m", got "0"' });
  if ((type === 'store_error' || type.startsWith('host_')) && input.services !== undefined) {
    issues.push({ field: 'services', message: `not used by rules of type ${type} (${type === 'store_error' ? 'the store is the agent\'s' : 'they are about the host'})` });
  }
  const above = defaults.fields.includes('above') ? decodeAbove(type, input.above, defaults.above) : { value: null };
  if ('message' in above) issues.push({ field: 'above', message: above.message });
  if (issues.length > 0 || 'message' in above) return { issues };
  return {
    rule: {
      name,
      type,
      severity: input.severity ?? defaults.severity,
      services: input.services ?? [],
      above: above.value,
      for: input.for ?? defaults.for,
      within: input.within ?? defaults.within,
    },
  };
}

function isRuleType(name: string): name is AlertRuleType {
  return (RULE_TYPES as readonly string[]).includes(name);
}

const ABOVE_EXPECTED: Partial<Record<AlertRuleType, string>> = {
  memory: 'a memory quantity such as "900Mi"',
  cpu: 'a CPU percentage of one core such as 90 or "250%"',
  restarts: 'a number of restarts such as 5',
  host_cpu: 'a percentage of all CPUs such as 90 or "90%"',
  host_memory: 'a percentage of memory such as 90 or "90%"',
  host_disk: 'a percentage of a filesystem such as 90 or "90%"',
  host_load: 'a 1-minute load average such as 8',
};

/** `above` means bytes, percent or a count depending on the type. */
function decodeAbove(type: AlertRuleType, value: string | number | undefined, fallback: number | null): { value: number | null } | { message: string } {
  if (value === undefined) {
    const what = ABOVE_EXPECTED[type];
    return fallback === null && what ? { message: `missing, expected ${what}` } : { value: fallback };
  }
  const got = typeof value === 'string' ? JSON.stringify(value) : String(value);
  if (type === 'memory') {
    try {
      return { value: parseMemory(value) };
    } catch (err) {
      return { message: errorMessage(err) };
    }
  }
  if (type === 'cpu') {
    const percent = typeof value === 'number' ? value : /^\d+(\.\d+)?%?$/.test(value) ? Number.parseFloat(value) : NaN;
    return percent > 0 && Number.isFinite(percent) ? { value: percent } : { message: `expected ${ABOVE_EXPECTED.cpu}, got ${got}` };
  }
  if (type === 'host_cpu' || type === 'host_memory' || type === 'host_disk') {
    const percent = typeof value === 'number' ? value : /^\d+(\.\d+)?%?$/.test(value) ? Number.parseFloat(value) : NaN;
    return percent >= 0 && percent < 100 ? { value: percent } : { message: `expected ${ABOVE_EXPECTED[type]} (below 100), got ${got}` };
  }
  if (type === 'host_load') {
    return typeof value === 'number' && value > 0 ? { value } : { message: `expected ${ABOVE_EXPECTED.host_load}, got ${got}` };
  }
  return typeof value === 'number' && Number.isInteger(value) && value >= 0
    ? { value }
    : { message: `expected ${ABOVE_EXPECTED.restarts}, got ${got}` };
}
