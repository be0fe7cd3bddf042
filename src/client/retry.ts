/**
 * Retries with backoff, for failures that can pass only: an agent that is
 * starting, a full socket backlog, a connection cut mid-request. "No agent"
 * (no socket file, or one nobody listens on while no agent pid lives) fails
 * at once: waiting would only delay the answer.
 */
import { HxeError } from '../core/errors.js';

export interface RetryOptions {
  /** Attempts in all, the first included (default 6; 1 = no retry). */
  attempts?: number;
  /** The first wait; each next one doubles, up to `maxDelayMs` (defaults 100 and 2000). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Called before each wait: which attempt failed, how long until the next, and why. */
  onRetry?: (retry: RetryEvent) => void;
}

export interface RetryEvent {
  /** The attempt that failed (1 for the first). */
  attempt: number;
  attempts: number;
  delayMs: number;
  error: HxeError;
}

/** What the rule knows of a call: whether it is safe to send twice, and whether an agent is starting. */
export interface CallKind {
  /** A cut connection may have reached the agent: retried only for calls safe to repeat (default true). */
  idempotent?: boolean;
  /**
   * For a local socket: true while `agent.pid` names a live process, the
   * only case in which a refused connection is an agent starting. Absent
   * for a TCP endpoint, where a refused port may be an agent restarting.
   */
  agentAlive?: () => boolean;
}

/** The request never reached the agent, and it can pass: a full backlog (Unix sockets answer EAGAIN). */
const BUSY = new Set(['EAGAIN']);
/** The connection was cut, perhaps after the agent read the request. */
const CUT = new Set(['ECONNRESET', 'EPIPE']);

/**
 * True for an unreachable agent whose cause can pass; an answer (any 4xx or
 * 5xx) never is, nor a missing socket file (no agent runs).
 */
export function isTransient(err: unknown, kind: CallKind = {}): boolean {
  if (!(err instanceof HxeError) || err.code !== 'AGENT_UNAVAILABLE') return false;
  const code = (err.cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined) return false;
  if (code === 'ECONNREFUSED') return kind.agentAlive ? kind.agentAlive() : true;
  return BUSY.has(code) || ((kind.idempotent ?? true) && CUT.has(code));
}

/** Runs `operation`, again after a growing wait while it fails transiently. */
export async function withRetry<T>(operation: () => Promise<T>, options: RetryOptions = {}, kind: CallKind = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 6);
  const max = options.maxDelayMs ?? 2_000;
  let delay = options.baseDelayMs ?? 100;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (err) {
      if (attempt >= attempts || !isTransient(err, kind)) throw err;
      options.onRetry?.({ attempt, attempts, delayMs: delay, error: err as HxeError });
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, max);
    }
  }
}
