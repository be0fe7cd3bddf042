/**
 * hxe's errors. Each has a stable `code` that the API and CLI rely on; the
 * CLI's entry point alone turns them into exit codes.
 */

export type ErrorCode =
  | 'INVALID_MANIFEST'
  | 'BAD_USAGE'
  | 'NOT_FOUND'
  | 'STORE_CORRUPT'
  | 'STORE_IO'
  | 'AGENT_UNAVAILABLE'
  | 'CONFLICT'
  | 'INTERNAL';

export class HxeError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HxeError';
    this.code = code;
  }
}

/** One problem in a manifest: where it is, and what was expected. */
export interface ManifestIssue {
  file: string;
  line: number | null;
  service: string | null;
  /** Field path inside the service, e.g. `health_check.type`; '' for the file or block. */
  path: string;
  message: string;
}

/** `services.hcl:14: service "web": health_check.type: expected ..., got "htp"` */
export function formatManifestIssue(issue: ManifestIssue): string {
  const where = issue.line ? `${issue.file}:${issue.line}` : issue.file;
  const parts = [where];
  if (issue.service !== null) parts.push(`service "${issue.service}"`);
  if (issue.path) parts.push(issue.path);
  parts.push(issue.message);
  return parts.join(': ');
}

/** Every problem of a manifest set at once: nothing of the set is applied. */
export class ManifestError extends HxeError {
  readonly issues: ManifestIssue[];

  constructor(issues: ManifestIssue[]) {
    super('INVALID_MANIFEST', issues.map(formatManifestIssue).join('\n'));
    this.name = 'ManifestError';
    this.issues = issues;
  }
}

/** An error as every HTTP answer of the agent carries it (the API's and the live page's). */
export interface ErrorBody {
  error: { code: string; message: string; issues?: ManifestIssue[] };
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
