/**
 * The agent's `alerts { }` block (inside `agent { }`), decoded with the
 * manifest's field schemas and messages. Input is the block as a parser
 * gives it: hcl2json wraps every block in an array (`alerts`, `webhook`,
 * `email`, `retry`, each `rule "NAME"`), TOML does not; both are accepted.
 * `env:VAR` values were resolved by the agent before. Every field has a
 * default: no block at all gives the default rules and no delivery.
 */
import { z } from 'zod';
import { errorMessage } from '../core/errors.js';
import { expected } from '../manifest/describe-value.js';
import { parseDuration } from '../manifest/duration.js';
import { isPlainObject } from '../manifest/parse-outcome.js';
import { ALWAYS, count, duration, stringList, stringMap, text } from '../manifest/schema-fields.js';
import { suggestionSuffix } from '../manifest/suggest.js';
import { errorMap } from '../manifest/zod-issues.js';
import { DEFAULT_RULE_TYPES, defaultRule, resolveRule, type AlertRule } from './rule-config.js';
import { RULE_TYPES } from './types.js';
import { emailInput, toEmailConfig } from './email-config.js';

export type { AlertRule } from './rule-config.js';

export interface WebhookConfig {
  url: string;
  /** Signs each body (X-Hxe-Signature) when set. */
  secret: string | null;
  timeout: number;
  headers: Record<string, string>;
}

export interface EmailConfig {
  smtp_host: string;
  smtp_port: number;
  /** TLS from the first byte (port 465); false: STARTTLS when the server offers it. */
  secure: boolean;
  username: string | null;
  password: string | null;
  from: string;
  to: string[];
  /** Connection, greeting and idle-socket timeout, ms. */
  timeout: number;
}

export interface RetryConfig {
  /** Tries per notification and notifier, the first included. */
  attempts: number;
  /** Delay before the first retry, ms; doubled each time up to `max`. */
  initial: number;
  max: number;
}

/** The alerts block, normalised (durations in ms). */
export interface AlertsConfig {
  enabled: boolean;
  /** Alerts that start or resolve within this window are sent as one notification, ms. */
  group_wait: number;
  /** A still-firing alert is sent again after this long, ms; 0: never. */
  repeat_interval: number;
  /** Notifications waiting per notifier; past it the oldest is dropped. */
  queue_size: number;
  retry: RetryConfig;
  webhook: WebhookConfig | null;
  /** `webhook_url`: one more webhook receiver, with the defaults. */
  webhook_url: string | null;
  email: EmailConfig | null;
  /** The default rules (unless `default_rules = false`) merged with the configured ones. */
  rules: AlertRule[];
}

export interface AlertsConfigIssue {
  /** `alerts.rule.high-memory.above`; `alerts` for the block itself. */
  path: string;
  message: string;
}

const bool = (fallback: boolean) => z.boolean({ error: expected('true or false') }).prefault(fallback);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const RULE_NAME = /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/;

/** A duration that may be absent (the rule type's default applies then). */
const optionalDuration = z
  .string({ error: expected('a duration such as "2m"') })
  .transform((value, ctx) => {
    try {
      return parseDuration(value);
    } catch (err) {
      ctx.issues.push({ code: 'custom', message: errorMessage(err), input: value });
      return z.NEVER;
    }
  })
  .optional();

const httpUrl = text('an http(s) URL').refine((value) => /^https?:$/.test(safeUrl(value)?.protocol ?? ''), {
  error: (issue) => `expected an http:// or https:// URL, got ${JSON.stringify(issue.input)}`,
});

function safeUrl(value: string): URL | null {
  return URL.canParse(value) ? new URL(value) : null;
}

const webhookInput = z.strictObject({
  url: httpUrl,
  secret: text('a secret').optional(),
  timeout: duration('5s', 'positive'),
  headers: stringMap((key) => (HEADER_NAME.test(key) ? null : { key: true, message: 'expected an HTTP header name' })).prefault({}),
});

const retryInput = z
  .strictObject({
    attempts: count(1, 5, 100),
    initial: duration('1s', 'positive'),
    max: duration('1m', 'positive'),
  })
  .superRefine((retry: unknown, ctx) => {
    if (!isPlainObject(retry) || typeof retry.max !== 'number' || typeof retry.initial !== 'number' || retry.max >= retry.initial) return;
    ctx.addIssue({ code: 'custom', path: ['max'], message: 'shorter than retry.initial' });
  }, ALWAYS);

const alertsInput = z.strictObject({
  enabled: bool(true),
  group_wait: duration('10s'),
  repeat_interval: duration('4h'),
  queue_size: count(1, 100, 10_000),
  default_rules: bool(true),
  retry: retryInput.prefault({}),
  /** The plan's one-line receiver: a webhook with the defaults, beside a `webhook { }` block if any. */
  webhook_url: httpUrl.optional(),
  webhook: webhookInput.optional(),
  email: emailInput.optional(),
});

const ruleInput = z.strictObject({
  type: z.enum(RULE_TYPES).optional(),
  enabled: bool(true),
  severity: z.enum(['warning', 'critical']).optional(),
  above: z.union([z.string(), z.number()], { error: expected('a number or a quantity') }).optional(),
  for: optionalDuration,
  within: optionalDuration,
  services: stringList('a service name or glob').optional(),
});

/** Known fields per block, for "did you mean". */
const FIELDS: Record<string, readonly string[]> = {
  '': [...Object.keys(alertsInput.shape), 'rule'],
  retry: Object.keys(retryInput.shape),
  webhook: Object.keys(webhookInput.shape),
  email: Object.keys(emailInput.shape),
  rule: Object.keys(ruleInput.shape),
};

/** Blocks that hcl2json gives as arrays of one object. */
const SINGLE_BLOCKS = ['retry', 'webhook', 'email'];

/**
 * Decodes the `alerts` block (undefined or null: all defaults). Returns
 * every problem at once, each with its path from `alerts`.
 */
export function decodeAlertsConfig(input: unknown): { config: AlertsConfig } | { issues: AlertsConfigIssue[] } {
  const issues: AlertsConfigIssue[] = [];
  const body = unwrapBlock(input ?? {}, 'alerts', 'alerts', issues);
  if (body === undefined) return { issues };
  if (!isPlainObject(body)) return { issues: [{ path: 'alerts', message: expected('an alerts block/table')({ input: body }) }] };
  const { rule: rawRules, ...rest } = body;
  for (const key of SINGLE_BLOCKS) if (key in rest) rest[key] = unwrapBlock(rest[key], `alerts.${key}`, key, issues);
  const parsed = alertsInput.safeParse(rest, { error: errorMap });
  if (!parsed.success) issues.push(...toIssues(parsed.error.issues, ['alerts'], ''));
  const disabled = new Set<string>();
  const rules = decodeRules(rawRules, disabled, issues);
  if (issues.length > 0 || !parsed.success) return { issues };
  const { default_rules: useDefaults, webhook, webhook_url: webhookUrl, email, ...settings } = parsed.data;
  return {
    config: {
      ...settings,
      webhook_url: webhookUrl ?? null,
      webhook: webhook ? { url: webhook.url, secret: webhook.secret ?? null, timeout: webhook.timeout, headers: webhook.headers } : null,
      email: email ? toEmailConfig(email) : null,
      rules: mergeRules(useDefaults, rules, disabled),
    },
  };
}

/** `rule "NAME" { }` blocks: a map of names to bodies (arrays of one in hcl2json); names with `enabled = false` go to `disabled`. */
function decodeRules(raw: unknown, disabled: Set<string>, issues: AlertsConfigIssue[]): AlertRule[] {
  if (raw === undefined || raw === null) return [];
  if (!isPlainObject(raw)) {
    issues.push({ path: 'alerts.rule', message: 'expected named rule blocks: rule "NAME" { ... } ([alerts.rule.NAME] in TOML)' });
    return [];
  }
  const rules: AlertRule[] = [];
  for (const name of Object.keys(raw).sort()) {
    const path = `alerts.rule.${name}`;
    if (!RULE_NAME.test(name)) issues.push({ path, message: 'expected a rule name of letters, digits, "-", "_" and "." (at most 63)' });
    const body = unwrapBlock(raw[name], path, `rule "${name}"`, issues);
    if (body === undefined) continue;
    const parsed = ruleInput.safeParse(body, { error: errorMap });
    if (!parsed.success) {
      issues.push(...toIssues(parsed.error.issues, ['alerts', 'rule', name], 'rule'));
      continue;
    }
    if (!parsed.data.enabled) {
      disabled.add(name);
      continue;
    }
    const resolved = resolveRule(name, parsed.data);
    if ('issues' in resolved) for (const issue of resolved.issues) issues.push({ path: `${path}.${issue.field}`, message: issue.message });
    else rules.push(resolved.rule);
  }
  return rules;
}

/** Defaults first (a configured rule of the same name takes its place), then the others by name. */
function mergeRules(useDefaults: boolean, configured: AlertRule[], disabled: ReadonlySet<string>): AlertRule[] {
  const byName = new Map(configured.map((rule) => [rule.name, rule]));
  const merged: AlertRule[] = [];
  if (useDefaults) {
    for (const type of DEFAULT_RULE_TYPES) merged.push(byName.get(type) ?? defaultRule(type, type));
  }
  for (const rule of configured) if (!merged.includes(rule)) merged.push(rule);
  return merged.filter((rule) => !disabled.has(rule.name));
}

/** hcl2json's `[{...}]` → `{...}`; a block given twice is an issue (undefined returned). */
function unwrapBlock(value: unknown, path: string, name: string, issues: AlertsConfigIssue[]): unknown {
  if (!Array.isArray(value)) return value;
  if (value.length === 1) return value[0];
  issues.push({ path, message: value.length === 0 ? 'expected a block/table, got an empty list' : `${name} given ${value.length} times, expected one` });
  return undefined;
}

/** zod issues → paths from `alerts`; one "unknown field" per key, with a suggestion. */
function toIssues(issues: readonly z.core.$ZodIssue[], prefix: string[], block: string): AlertsConfigIssue[] {
  return issues.flatMap((issue) => {
    const inner = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol').map(String);
    if (issue.code !== 'unrecognized_keys') return [{ path: [...prefix, ...inner].join('.'), message: issue.message }];
    const known = FIELDS[block || inner.join('.')] ?? [];
    return issue.keys.map((key) => ({ path: [...prefix, ...inner, key].join('.'), message: `unknown field${suggestionSuffix(key, known)}` }));
  });
}
