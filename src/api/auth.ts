import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { jwtVerify } from 'jose';
import type { ServerConfig } from '../config/schema.js';

/** Endpoints a TCP client may call without a token: health, and the page's static shell (it holds no data). */
const PUBLIC = [/^\/v1\/health$/, /^\/ui(\/.*)?$/, /^\/$/];

/**
 * The TCP API's gate: a bearer token (`auth.type = "token"`) compared in
 * constant time, or an HS256 JWT (`auth.type = "jwt"`) checked for its
 * signature and expiry. Anything else answers 401.
 */
export function createAuthHook(auth: ServerConfig['auth']) {
  const secret = auth.secret ? new TextEncoder().encode(auth.secret) : null;
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0];
    if (request.method === 'OPTIONS' || PUBLIC.some((pattern) => pattern.test(path))) return;
    const presented = bearerToken(request.headers.authorization);
    if (presented && (await isValid(presented))) return;
    await reply.code(401).header('www-authenticate', 'Bearer realm="hxe"')
      .send({ error: { code: 'UNAUTHORIZED', message: 'a valid bearer token is required' } });
  };

  async function isValid(token: string): Promise<boolean> {
    if (auth.type === 'token') return Boolean(auth.token) && safeEqual(token, auth.token!);
    if (!secret) return false;
    try {
      await jwtVerify(token, secret, { algorithms: ['HS256'] });
      return true;
    } catch {
      return false;
    }
  }
}

function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match ? match[1] : null;
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
