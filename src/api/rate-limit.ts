import type { FastifyReply, FastifyRequest } from 'fastify';

/** Clients idle this long with a full bucket are forgotten, so the map stays small. */
const SWEEP_EVERY = 1_000;

export interface RateLimitOptions {
  /** Refill rate of each client's bucket. */
  requestsPerMinute: number;
  /** Bucket size: requests a client may make at once. */
  burstSize: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per client address: `burstSize` requests at once, refilled
 * at `requestsPerMinute`; past it, 429 with `Retry-After` (whole seconds
 * until one request is allowed again). Health checks are never limited.
 */
export function createRateLimitHook(options: RateLimitOptions) {
  const now = options.now ?? Date.now;
  const perMs = options.requestsPerMinute / 60_000;
  const buckets = new Map<string, Bucket>();
  let seen = 0;
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.url === '/v1/health') return;
    const time = now();
    if (++seen % SWEEP_EVERY === 0) sweep(time);
    const bucket = buckets.get(request.ip) ?? { tokens: options.burstSize, at: time };
    bucket.tokens = Math.min(options.burstSize, bucket.tokens + (time - bucket.at) * perMs);
    bucket.at = time;
    buckets.set(request.ip, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
    await reply.code(429).header('retry-after', String(retryAfter))
      .send({ error: { code: 'RATE_LIMITED', message: `rate limit of ${options.requestsPerMinute} requests per minute (burst ${options.burstSize}) reached; retry in ${retryAfter}s` } });
  };

  function sweep(time: number): void {
    for (const [ip, bucket] of buckets) {
      if (bucket.tokens + (time - bucket.at) * perMs >= options.burstSize) buckets.delete(ip);
    }
  }
}
