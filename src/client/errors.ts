/**
 * The client's errors: one class per code of HxeError, each still an
 * HxeError (same `code`, so the CLI's exit codes hold: 2 for BAD_USAGE and
 * INVALID_MANIFEST, 1 for the rest).
 */
import { HxeError, ManifestError, type ErrorCode } from '../core/errors.js';

export { HxeError, ManifestError, type ErrorCode, type ManifestIssue } from '../core/errors.js';

/** A malformed request (HTTP 400): exit 2 in the CLI. */
export class BadUsageError extends HxeError {
  constructor(message: string, options?: { cause?: unknown }) { super('BAD_USAGE', message, options); this.name = 'BadUsageError'; }
}
/** No such service or instance (HTTP 404). */
export class NotFoundError extends HxeError {
  constructor(message: string, options?: { cause?: unknown }) { super('NOT_FOUND', message, options); this.name = 'NotFoundError'; }
}
/** The store moved on since the `checkIndex` given (HTTP 409). */
export class ConflictError extends HxeError {
  constructor(message: string, options?: { cause?: unknown }) { super('CONFLICT', message, options); this.name = 'ConflictError'; }
}
/** The agent did not answer (after the client's retries). */
export class AgentUnavailableError extends HxeError {
  constructor(message: string, options?: { cause?: unknown }) { super('AGENT_UNAVAILABLE', message, options); this.name = 'AgentUnavailableError'; }
}
/** The agent's store is corrupt or unwritable. */
export class StoreError extends HxeError {
  constructor(code: 'STORE_CORRUPT' | 'STORE_IO', message: string, options?: { cause?: unknown }) { super(code, message, options); this.name = 'StoreError'; }
}

const classes: Partial<Record<ErrorCode, new (message: string, options?: { cause?: unknown }) => HxeError>> = {
  BAD_USAGE: BadUsageError, NOT_FOUND: NotFoundError, CONFLICT: ConflictError, AGENT_UNAVAILABLE: AgentUnavailableError,
};

/** The typed class of an error of the transport (a ManifestError or a non-hxe error is kept as it is). */
export function typedError(err: unknown): unknown {
  if (!(err instanceof HxeError) || err instanceof ManifestError || err.constructor !== HxeError) return err;
  if (err.code === 'STORE_CORRUPT' || err.code === 'STORE_IO') return new StoreError(err.code, err.message, { cause: err.cause });
  const Typed = classes[err.code];
  return Typed ? new Typed(err.message, { cause: err.cause }) : err;
}
