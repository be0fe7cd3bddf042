import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createRateLimitHook } from '../../src/api/rate-limit.js';

/** A server with the hook and a clock the test moves (timing logic only; requests are real fastify injections). */
async function limited(requestsPerMinute: number, burstSize: number) {
  let now = 1_000_000;
  const app = Fastify();
  app.addHook('onRequest', createRateLimitHook({ requestsPerMinute, burstSize, now: () => now }));
  app.get('/v1/services', async () => []);
  app.get('/v1/health', async () => ({ ok: true }));
  const call = (path = '/v1/services', ip = '10.0.0.1') => app.inject({ method: 'GET', url: path, remoteAddress: ip });
  return { app, call, advance: (ms: number) => { now += ms; } };
}

describe('the rate limit (a token bucket per client)', () => {
  it('allows burst_size at once, then 429 with Retry-After until the bucket refills', async () => {
    const { call, advance } = await limited(60, 3);
    for (let i = 0; i < 3; i++) expect((await call()).statusCode).toBe(200);
    const refused = await call();
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json().error.code).toBe('RATE_LIMITED');
    advance(999);
    expect((await call()).statusCode).toBe(429);
    advance(1);
    expect((await call()).statusCode).toBe(200);
    expect((await call()).statusCode).toBe(429);
  });

  it('keeps one bucket per client, and never limits health', async () => {
    const { call } = await limited(1, 1);
    expect((await call()).statusCode).toBe(200);
    expect((await call()).statusCode).toBe(429);
    expect((await call('/v1/services', '10.0.0.2')).statusCode).toBe(200);
    expect((await call('/v1/health')).statusCode).toBe(200);
    const refused = await call();
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(50);
  });
});
