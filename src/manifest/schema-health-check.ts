/**
 * The `health_check` block: one object for the three probe types, each of
 * which needs its own fields and refuses the others' (a discriminated union
 * would say "unknown field" where "only for type tcp" is meant).
 */
import { z } from 'zod';
import type { HealthCheckSpec, HealthCheckType } from '../core/types.js';
import { commandProblem } from './command.js';
import { expected } from './describe-value.js';
import { isPlainObject } from './parse-outcome.js';
import { ALWAYS, count, duration, text } from './schema-fields.js';

export const HEALTH_CHECK_TYPES = ['http', 'tcp', 'exec'] as const;
export const DEFAULT_TCP_HOST = '127.0.0.1';

export const healthCheckShape = {
  type: z.enum(HEALTH_CHECK_TYPES).describe('http: GET url, 2xx/3xx pass; tcp: connect to host:port; exec: run command, exit 0 passes.'),
  url: z.string({ error: expected('a URL') }).optional().describe('http only: the URL to GET.'),
  host: text('a host name or address').optional().describe(`tcp only: host to connect to (default ${DEFAULT_TCP_HOST}).`),
  port: z.int({ error: expected('a port number from 1 to 65535') }).min(1).max(65535).optional().describe('tcp only: port.'),
  command: text('a command line').optional().describe('exec only: command line, split like the service command.'),
  interval: duration('10s', 'positive').describe('Time between probes.'),
  timeout: duration('5s', 'positive').describe('A probe taking longer fails.'),
  retries: count(1, 3).describe('Consecutive failures before the instance is unhealthy.'),
  start_period: duration('0s').describe('Failures during this time after start do not count.'),
};

const FIELDS_OF_TYPE = { http: ['url'], tcp: ['host', 'port'], exec: ['command'] } as const;
const REQUIRED_OF_TYPE = { http: 'url', tcp: 'port', exec: 'command' } as const;

type HealthCheckInput = z.output<z.ZodObject<typeof healthCheckShape>>;

/** Each type needs its own fields and refuses the others'. Runs {@link ALWAYS}: `value` may be malformed. */
function checkHealthCheck(value: unknown, ctx: z.RefinementCtx): void {
  if (!isPlainObject(value) || !HEALTH_CHECK_TYPES.includes(value.type as HealthCheckType)) return;
  const type = value.type as HealthCheckType;
  const issue = (field: string, message: string) => ctx.addIssue({ code: 'custom', path: [field], message, input: value[field] });
  for (const other of HEALTH_CHECK_TYPES) {
    if (other === type) continue;
    for (const field of FIELDS_OF_TYPE[other]) {
      if (value[field] !== undefined) issue(field, `only for type "${other}" health checks, this one is type "${type}"`);
    }
  }
  const required = REQUIRED_OF_TYPE[type];
  if (value[required] === undefined) issue(required, `missing, required for type "${type}"`);
  if (type === 'http' && typeof value.url === 'string' && !isHttpUrl(value.url)) {
    issue('url', `expected an http:// or https:// URL, got ${JSON.stringify(value.url)}`);
  }
  if (type === 'exec' && typeof value.command === 'string') {
    const problem = commandProblem(value.command);
    if (problem) issue('command', problem);
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function toHealthCheckSpec(check: HealthCheckInput): HealthCheckSpec {
  return {
    type: check.type,
    url: check.url ?? null,
    host: check.type === 'tcp' ? (check.host ?? DEFAULT_TCP_HOST) : null,
    port: check.port ?? null,
    command: check.command ?? null,
    interval: check.interval,
    timeout: check.timeout,
    retries: check.retries,
    start_period: check.start_period,
  };
}

const healthCheckInput = z.strictObject(healthCheckShape);

/** A health_check block → its complete spec (host defaulted for tcp, other types' fields null). */
export const healthCheck = healthCheckInput.superRefine(checkHealthCheck, ALWAYS).transform(toHealthCheckSpec);
