/** Retries with backoff, for transient failures only: the agent's socket or port not answering while it restarts. */
import { HxeError } from '../core/errors.js';

export interface RetryOptions {
  /** Attempts in all, the first included (default 6; 1 = no retry). */
  attempts?: number;
  /** The first wait; each next one doubles, up to `maxDelayMs` (defaults 100 and 2000). */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** Connection errors that mean "the agent is (re)starting" before the request reached it. */
const NOT_REACHED = new Set(['ECONNREFUSED', 'ENOENT']);
/** ...or while it may have reached it: retried only for requests that are safe to repeat. */
const CUT = new Set(['ECONNRESET', 'EPIPE']);

/**
 * True for an unreachable agent whose cause is transient; an answer (any
 * 4xx or 5xx) never is. A cut connection counts only when `idempotent`
 * (a restart sent twice would restart twice).
 */
export function isTransient(err: unknown, idempotent = true): boolean {
  if (!(err instanceof HxeError) || err.code !== 'AGENT_UNAVAILABLE') return false;
  const code = (err.cause as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && (NOT_REACHED.has(code) || (idempotent && CUT.has(code)));
}

/** Runs `operation`, again after a growing wait while it fails transiently. */
export async function withRetry<T>(operation: () => Promise<T>, options: RetryOptions = {}, idempotent = true): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 6);
  const max = options.maxDelayMs ?? 2_000;
  let delay = options.baseDelayMs ?? 100;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (err) {
      if (attempt >= attempts || !isTransient(err, idempotent)) throw err;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, max);
    }
  }
}
