/**
 * The API's boundary: every request body is checked before it reaches the
 * agent, since anything with access to the socket (or a token) can call it.
 * Specs are checked by the manifest's own schema and rules (decode-spec.ts):
 * the API accepts only what a manifest could say.
 */
import { z } from 'zod';
import { HxeError, ManifestError, type ManifestIssue } from '../core/errors.js';
import type { DesiredService, ServiceSpec } from '../core/types.js';
import { decodeSpec } from '../manifest/decode-spec.js';
import { describeValue } from '../manifest/describe-value.js';
import { formatFieldPath } from '../manifest/field-path.js';
import { nameProblem, printableName } from '../manifest/names.js';
import { errorMap } from '../manifest/zod-issues.js';
import type { ApplyRequest, DeleteRequest, StopAgentRequest } from './protocol.js';

const desiredService = z.strictObject({
  name: z.string(),
  spec: z.unknown(),
  file: z.string().min(1).optional(),
  line: z.int().min(1).nullable().optional(),
});

const applyRequest = z.strictObject({
  source: z.string().min(1),
  services: z.array(desiredService),
  prune: z.boolean().optional(),
  dryRun: z.boolean().optional(),
  checkIndex: z.int().min(0).nullable().optional(),
});

const deleteRequest = z.strictObject({
  names: z.array(z.string()).optional(),
  all: z.boolean().optional(),
});

const stopAgentRequest = z.strictObject({ keepServices: z.boolean().optional() });

/**
 * Checks an apply (or plan) request: its shape, then each spec with the
 * manifest's schema (normalised again: defaults for absent fields). A spec
 * equal to the one stored under its name was checked when it was stored,
 * and is not decoded again (a re-apply of 1,000 unchanged services costs a
 * comparison each, not a schema pass).
 * @throws HxeError BAD_USAGE for a malformed request; ManifestError (400
 *   INVALID_MANIFEST) with every issue of every spec, each naming its
 *   service and field.
 */
export function validateApplyRequest(body: unknown, stored: (name: string) => ServiceSpec | undefined = () => undefined): ApplyRequest {
  const request = parseBody(applyRequest, body);
  const issues: ManifestIssue[] = [];
  const services: DesiredService[] = [];
  for (const [index, service] of request.services.entries()) {
    const file = service.file ?? `${request.source} (services[${index}])`;
    const known = stored(service.name);
    const decoded = known && JSON.stringify(known) === JSON.stringify(service.spec) ? { spec: known, issues: [] } : decodeSpec(service.name, service.spec);
    issues.push(...decoded.issues.map((issue) => ({
      file, line: service.line ?? null, service: printableName(service.name), path: formatFieldPath(issue.path), message: issue.message,
    })));
    if (decoded.spec) services.push({ name: service.name, spec: decoded.spec, file: service.file ?? request.source, line: service.line ?? null });
  }
  if (issues.length > 0) throw new ManifestError(issues);
  return {
    source: request.source, services, prune: request.prune ?? false, dryRun: request.dryRun ?? false,
    ...(typeof request.checkIndex === 'number' ? { checkIndex: request.checkIndex } : {}),
  };
}

/** `{ names }` or `{ all: true }`. */
export function validateDeleteRequest(body: unknown): Required<DeleteRequest> {
  const request = parseBody(deleteRequest, body ?? {});
  const names = validateNames(request.names ?? []);
  if (!request.all && names.length === 0) throw new HxeError('BAD_USAGE', 'name services to delete, or all');
  return { names, all: request.all ?? false };
}

export function validateStopAgentRequest(body: unknown): StopAgentRequest {
  return { keepServices: parseBody(stopAgentRequest, body ?? {}).keepServices ?? false };
}

/** Names of services or instances, as DNS-1123 labels (`names` as the request gave it: any JSON). */
export function validateNames(names: unknown): string[] {
  if (!Array.isArray(names)) throw new HxeError('BAD_USAGE', `names: expected a list of names, got ${describeValue(names)}`);
  return names.map((name) => validateName(name));
}

function validateName(name: unknown): string {
  const problem = typeof name === 'string' ? nameProblem(name) : 'expected a string';
  if (problem) throw new HxeError('BAD_USAGE', `${JSON.stringify(name)}: ${problem}`);
  return name as string;
}

/** The body as `schema` reads it, or BAD_USAGE naming each wrong field. */
function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body, { error: errorMap });
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = formatFieldPath(issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol'));
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  throw new HxeError('BAD_USAGE', `invalid request: ${problems.join('; ')}`);
}
