/**
 * The second way into the schema: a spec that is already normalised (what
 * the API receives from a CLI, what the store holds) is checked by the very
 * schema and rules that decode manifests, so that nothing reaches the store
 * that a manifest could not say. The spec is turned back into a manifest
 * body (durations in ms → `"Nms"`, millicores → `"Nm"`, null → absent),
 * then prepared and decoded as a TOML body would be.
 */
import { isAbsolute } from 'node:path';
import type { ServiceSpec } from '../core/types.js';
import { checkInstanceNames } from './decode-service.js';
import { describeValue } from './describe-value.js';
import { nameProblem } from './names.js';
import { isPlainObject, setOwn } from './parse-outcome.js';
import { prepareBody, type BodyIssue, type FieldPath } from './prepare-body.js';
import { BLOCK_FIELDS, serviceSchema } from './schema.js';
import { errorMap, toBodyIssues } from './zod-issues.js';

type Unit = 'ms' | 'millicores' | 'bytes';

/** Normalised fields whose value is a number in a unit, by dotted path; every other field has the manifest's type. */
const UNIT_FIELDS: Readonly<Record<string, Unit>> = {
  stop_timeout: 'ms',
  'backoff.initial': 'ms',
  'backoff.max': 'ms',
  'backoff.reset_after': 'ms',
  'crashloop.window': 'ms',
  'health_check.interval': 'ms',
  'health_check.timeout': 'ms',
  'health_check.start_period': 'ms',
  'watch.debounce': 'ms',
  'resources.cpu_limit': 'millicores',
  'resources.memory_limit': 'bytes',
  'logs.max_size': 'bytes',
};

/** Paths that the loader has made absolute; a spec without a manifest has no directory to resolve against. */
const PATH_FIELDS = ['working_dir', 'env_file'] as const;

/**
 * Checks a normalised spec with the manifest's schema and rules.
 * @returns the spec as the schema normalises it (key order, defaults for
 *   absent fields), or null with every issue found (field paths as in
 *   manifests: `health_check.interval`, `depends_on[0]`).
 */
export function decodeSpec(name: string, spec: unknown): { spec: ServiceSpec | null; issues: BodyIssue[] } {
  const issues: BodyIssue[] = [];
  const problem = nameProblem(name);
  if (problem) issues.push({ path: [], message: problem });
  if (!isPlainObject(spec)) return { spec: null, issues: [...issues, { path: [], message: `spec: expected a service spec (an object), got ${describeValue(spec)}` }] };
  const prepared = prepareBody(toManifestBody(spec, [], issues), 'toml');
  issues.push(...prepared.issues, ...pathIssues(spec));
  const result = serviceSchema.safeParse(prepared.body, { error: errorMap });
  if (!result.success) {
    const reported = new Set(issues.map((issue) => issue.path.join('.')));
    issues.push(...toBodyIssues(result.error.issues).filter((issue) => !reported.has(issue.path.join('.'))));
    return { spec: null, issues };
  }
  if (!problem) issues.push(...checkInstanceNames(name, result.data));
  return issues.length > 0 ? { spec: null, issues } : { spec: result.data, issues };
}

/** A copy with unit fields written as the manifest writes them; blocks are walked, maps and lists copied. */
function toManifestBody(value: Record<string, unknown>, path: string[], issues: BodyIssue[]): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const at = [...path, key];
    const unit = UNIT_FIELDS[at.join('.')];
    if (unit && item !== null) setOwn(body, key, withUnit(item, unit, at, issues));
    else if (path.length === 0 && BLOCK_FIELDS.includes(key) && isPlainObject(item)) setOwn(body, key, toManifestBody(item, at, issues));
    else setOwn(body, key, item);
  }
  return body;
}

function withUnit(value: unknown, unit: Unit, path: FieldPath, issues: BodyIssue[]): unknown {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    issues.push({ path, message: `expected a number of ${unit === 'ms' ? 'milliseconds' : unit} (0 or more), got ${describeValue(value)}` });
    return undefined;
  }
  if (unit === 'ms') return `${value}ms`;
  return unit === 'millicores' ? `${value}m` : value;
}

function pathIssues(spec: Record<string, unknown>): BodyIssue[] {
  const issues: BodyIssue[] = [];
  const relative = (value: unknown) => typeof value === 'string' && !isAbsolute(value);
  for (const field of PATH_FIELDS) {
    if (relative(spec[field])) issues.push({ path: [field], message: `expected an absolute path, got ${describeValue(spec[field])}` });
  }
  const paths = isPlainObject(spec.watch) && Array.isArray(spec.watch.paths) ? spec.watch.paths : [];
  paths.forEach((item, index) => {
    if (relative(item)) issues.push({ path: ['watch', 'paths', index], message: `expected an absolute path, got ${describeValue(item)}` });
  });
  return issues;
}
