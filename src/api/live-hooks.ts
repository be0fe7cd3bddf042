/**
 * The TCP API's rate limit and CORS, read from the current server
 * configuration at each request, so that a configuration reload changes
 * them without a new listener.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerConfig } from '../config/schema.js';
import { createRateLimitHook } from './rate-limit.js';

/** The rate limit of the current configuration; a new limit starts with full buckets. */
export function createLiveRateLimitHook(current: () => ServerConfig) {
  let key = '';
  let hook: ReturnType<typeof createRateLimitHook> | null = null;
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const { rate_limit: rate } = current();
    if (!rate.enabled) return;
    const now = `${rate.requests_per_minute}/${rate.burst_size}`;
    if (now !== key || !hook) {
      key = now;
      hook = createRateLimitHook({ requestsPerMinute: rate.requests_per_minute, burstSize: rate.burst_size });
    }
    await hook(request, reply);
  };
}

/** @fastify/cors's per-request options: the current origins and methods. */
export function liveCorsDelegator(current: () => ServerConfig) {
  return (_request: FastifyRequest, callback: (error: Error | null, options: object) => void) => {
    const { cors } = current();
    callback(null, cors.enabled
      ? { origin: cors.allowed_origins, methods: cors.allowed_methods, allowedHeaders: ['authorization', 'content-type'] }
      : { origin: false });
  };
}
