import { errorMessage, HxeError, ManifestError } from '../core/errors.js';

/** 2: bad usage or invalid manifests; 1: the operation failed. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof ManifestError) return 2;
  if (err instanceof HxeError && (err.code === 'BAD_USAGE' || err.code === 'INVALID_MANIFEST')) return 2;
  return 1;
}

export function reportError(err: unknown): void {
  if (err instanceof ManifestError) {
    process.stderr.write(`${err.issues.length === 1 ? 'error' : `${err.issues.length} errors`}:\n${err.message}\n`);
    return;
  }
  process.stderr.write(`error: ${errorMessage(err)}\n`);
}
