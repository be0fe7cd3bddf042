/**
 * Services → the text of an HCL or TOML manifest that decodes back to the
 * very same specs (`hxe convert`, `hxe run -o hcl`). Fields at their
 * default are left out; durations and sizes are written as people write
 * them (`3s`, `260Mi`); working_dir is always written, absolute, so the
 * file means the same wherever it is saved.
 */
import { stringify as stringifyToml } from 'smol-toml';
import type { DesiredService, HealthCheckSpec, ServiceSpec } from '../core/types.js';
import { formatDuration } from './duration.js';
import { serviceSchema } from './schema.js';

export type WrittenFormat = 'hcl' | 'toml';

type Body = Record<string, unknown>;

/** The manifest text of `services`, in the order given. */
export function writeManifest(services: readonly Pick<DesiredService, 'name' | 'spec'>[], format: WrittenFormat): string {
  const defaults = serviceSchema.parse({ command: 'x' });
  const bodies = services.map((service) => ({ name: service.name, body: writtenBody(service.spec, defaults) }));
  if (format === 'toml') return stringifyToml({ service: Object.fromEntries(bodies.map(({ name, body }) => [name, body])) }) + '\n';
  return bodies.map(({ name, body }) => `service ${hclString(name)} {\n${hclFields(body, '  ')}}\n`).join('\n');
}

/** The fields of `spec` that differ from `defaults`, as a manifest writes them. */
export function writtenBody(spec: ServiceSpec, defaults: ServiceSpec): Body {
  const body: Body = { command: spec.command };
  const differs = (key: keyof ServiceSpec) => JSON.stringify(spec[key]) !== JSON.stringify(defaults[key]);
  const put = (key: keyof ServiceSpec, value: unknown = spec[key]) => {
    if (differs(key)) body[key] = value;
  };
  put('args');
  put('shell');
  body.working_dir = spec.working_dir;
  put('user');
  put('group');
  put('environment');
  put('env_file');
  put('depends_on');
  put('instances');
  if (spec.health_check) body.health_check = healthCheck(spec.health_check);
  put('resources', quantities(spec.resources));
  put('restart_policy');
  put('stop_signal');
  put('stop_timeout', formatDuration(spec.stop_timeout));
  put('backoff', { ...spec.backoff, initial: formatDuration(spec.backoff.initial), max: formatDuration(spec.backoff.max), reset_after: formatDuration(spec.backoff.reset_after) });
  put('crashloop', { ...spec.crashloop, window: formatDuration(spec.crashloop.window) });
  if (spec.watch) body.watch = { ...spec.watch, debounce: formatDuration(spec.watch.debounce) };
  put('logs', { max_size: formatMemory(spec.logs.max_size), keep: spec.logs.keep });
  put('labels');
  put('tags');
  put('disabled');
  // A null left in (user, env_file …) means "unset": drop it.
  for (const [key, value] of Object.entries(body)) if (value === null) delete body[key];
  return body;
}

function healthCheck(check: HealthCheckSpec): Body {
  const body: Body = { type: check.type };
  for (const key of ['url', 'host', 'port', 'command'] as const) if (check[key] !== null) body[key] = check[key];
  return { ...body, interval: formatDuration(check.interval), timeout: formatDuration(check.timeout), retries: check.retries, start_period: formatDuration(check.start_period) };
}

function quantities(resources: ServiceSpec['resources']): Body {
  const body: Body = {};
  if (resources.cpu_limit !== null) body.cpu_limit = `${resources.cpu_limit}m`;
  if (resources.memory_limit !== null) body.memory_limit = formatMemory(resources.memory_limit);
  return body;
}

const BINARY_UNITS = ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki'];

/** Bytes as the largest binary unit that divides them (`260Mi`), else as bytes. */
export function formatMemory(bytes: number): string {
  for (const [index, unit] of BINARY_UNITS.entries()) {
    const size = 1024 ** (BINARY_UNITS.length - index);
    if (bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

/** The blocks of a service (`health_check { }`); other objects are maps (`environment = { }`). */
const BLOCKS = new Set(['health_check', 'resources', 'backoff', 'crashloop', 'watch', 'logs']);

function hclFields(body: Body, indent: string): string {
  return Object.entries(body)
    .map(([key, value]) => {
      if (BLOCKS.has(key)) return `${indent}${key} {\n${hclFields(value as Body, `${indent}  `)}${indent}}\n`;
      return `${indent}${hclKey(key)} = ${hclValue(value, indent)}\n`;
    })
    .join('');
}

function hclValue(value: unknown, indent: string): string {
  if (typeof value === 'string') return hclString(value);
  if (Array.isArray(value)) return `[${value.map((item) => hclValue(item, indent)).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const inner = entries.map(([key, item]) => `${indent}  ${hclKey(key)} = ${hclValue(item, `${indent}  `)}\n`).join('');
    return `{\n${inner}${indent}}`;
  }
  return String(value);
}

function hclKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : hclString(key);
}

/** A quoted HCL string: JSON escapes, and `${` / `%{` doubled so that HCL reads no template. */
function hclString(text: string): string {
  // HCL has no \b or \f escape; every other JSON escape is also HCL's.
  const escaped = JSON.stringify(text).replace(/\\(.)/g, (pair, char: string) => (char === 'b' ? '\\u0008' : char === 'f' ? '\\u000c' : pair));
  return escaped.replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
}
