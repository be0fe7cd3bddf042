/**
 * One service's raw body → its spec, or every issue found in it.
 */
import { dirname } from 'node:path';
import type { ManifestIssue } from '../core/errors.js';
import type { ServiceSpec } from '../core/types.js';
import type { ExtractedService } from './extract-services.js';
import { formatFieldPath, keySegments } from './field-path.js';
import type { ManifestFormat } from './format.js';
import { keyLine, type KeyLine } from './line-index.js';
import { MAX_NAME_LENGTH, nameProblem, printableName } from './names.js';
import { isPlainObject } from './parse-outcome.js';
import { prepareBody, type BodyIssue, type FieldPath } from './prepare-body.js';
import { resolveSpecPaths } from './resolve-paths.js';
import { serviceSchema } from './schema.js';
import { errorMap, toBodyIssues } from './zod-issues.js';

/** Where a service was read from. */
export interface ManifestSource {
  /** As shown in messages. */
  file: string;
  absolute: string;
  format: ManifestFormat;
  index: KeyLine[];
}

/** A service as decoded, valid or not: the set's rules need every name. */
export interface DecodedService {
  name: string;
  source: ManifestSource;
  /** The line of its `service "name"` / `[service.name]`. */
  line: number | null;
  /** Null when the body has issues. */
  spec: ServiceSpec | null;
  /** From the spec, or as written when the spec is invalid: its dependencies are still checked. */
  dependsOn: string[];
  /** The line of a field of this service, or its own line. */
  lineOf(path: FieldPath): number | null;
}

/** Decodes one declared service: its spec when valid, and every issue of its name and body. */
export function decodeService(
  declared: ExtractedService,
  source: ManifestSource,
): { service: DecodedService; issues: ManifestIssue[] } {
  const { name, line, end } = declared;
  const lineOf = (path: FieldPath) =>
    path.length === 0 ? line : (keyLine(source.index, ['service', name, ...keySegments(path)], 3, line ?? 1, end) ?? line);
  const issueOf = (issue: BodyIssue): ManifestIssue => ({
    file: source.file,
    line: lineOf(issue.path),
    service: printableName(name),
    path: formatFieldPath(issue.path),
    message: issue.message,
  });
  const bodyIssues = checkName(name);
  const prepared = prepareBody(declared.body, source.format);
  bodyIssues.push(...prepared.issues);
  const result = serviceSchema.safeParse(prepared.body, { error: errorMap });
  let spec: ServiceSpec | null = null;
  if (result.success) {
    spec = resolveSpecPaths(result.data, dirname(source.absolute));
    bodyIssues.push(...checkInstanceNames(name, spec));
  } else {
    // An expression or NUL already reported at a path makes the schema complain there again.
    const reported = new Set(prepared.issues.map((issue) => formatFieldPath(issue.path)));
    bodyIssues.push(...toBodyIssues(result.error.issues).filter((issue) => !reported.has(formatFieldPath(issue.path))));
  }
  const issues = bodyIssues.map(issueOf);
  const dependsOn = spec?.depends_on ?? dependenciesAsWritten(prepared.body);
  return { service: { name, source, line, spec: issues.length ? null : spec, dependsOn, lineOf }, issues };
}

function dependenciesAsWritten(body: unknown): string[] {
  const list = isPlainObject(body) ? body.depends_on : undefined;
  return Array.isArray(list) && list.every((item) => typeof item === 'string') ? list : [];
}

function checkName(name: string): BodyIssue[] {
  const problem = nameProblem(name);
  return problem ? [{ path: [], message: problem }] : [];
}

/** `web-9` must still be a valid name: the last instance's name is the longest. */
export function checkInstanceNames(name: string, spec: ServiceSpec): BodyIssue[] {
  if (spec.instances <= 1 || nameProblem(name) !== null) return [];
  const last = `${name}-${spec.instances - 1}`;
  if (last.length <= MAX_NAME_LENGTH) return [];
  return [{ path: ['instances'], message: `instance name "${last}" would be ${last.length} characters, at most ${MAX_NAME_LENGTH} allowed: shorten the name or use fewer instances` }];
}
