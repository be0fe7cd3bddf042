import { randomUUID, timingSafeEqual } from 'node:crypto';
import os from 'node:os';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { jwtVerify, SignJWT } from 'jose';
import type { ServerConfig } from '../config/schema.js';

/** What a caller may do: `read` only reads (GET, HEAD); `admin` may also change things. */
export type Role = 'admin' | 'read';
export const ROLES: readonly Role[] = ['admin', 'read'];

/** Who made a request, as the audit trail and the page see it. */
export interface Caller {
  /** socket: the Unix socket (0600, so the agent's own user or root); token: the shared token; jwt: a signed token. */
  via: 'socket' | 'token' | 'jwt';
  /** The socket's user name, `token`, or the JWT's `sub`. */
  subject: string;
  role: Role;
  uid?: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook (TCP) or to the socket's user (socket). */
    caller?: Caller;
  }
}

/**
 * Endpoints a TCP client may call without a token: health, the page's static
 * shell (it holds no data), and the pull webhook (its body's HMAC is its
 * authentication: pull-webhook.ts).
 */
const PUBLIC = [/^\/v1\/health$/, /^\/ui(\/.*)?$/, /^\/$/, /^\/v1\/syncs\/pull$/];
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The caller of every socket request: only the agent's own user (or root) can open the socket. */
export function socketCaller(): Caller {
  const user = os.userInfo();
  return { via: 'socket', subject: user.username, role: 'admin', uid: user.uid };
}

/**
 * The TCP API's gate: a bearer token (`auth.type = "token"`, an admin)
 * compared in constant time, or an HS256 JWT (`auth.type = "jwt"`) checked
 * for its signature and expiry, whose `role` claim is `admin` or `read`
 * (none: admin, as only holders of the secret can sign). No or a bad
 * token: 401; a read token on a method that changes something: 403.
 */
export function createAuthHook(given: ServerConfig['auth'] | (() => ServerConfig['auth'])) {
  // A getter: a configuration reload changes the token or secret for the next request.
  const current = typeof given === 'function' ? given : () => given;
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0];
    if (request.method === 'OPTIONS' || PUBLIC.some((pattern) => pattern.test(path))) return;
    const presented = bearerToken(request.headers.authorization);
    const caller = presented ? await verify(presented) : null;
    if (!caller) {
      await reply.code(401).header('www-authenticate', 'Bearer realm="hxe"')
        .send({ error: { code: 'UNAUTHORIZED', message: 'a valid bearer token is required' } });
      return;
    }
    request.caller = caller;
    if (caller.role !== 'admin' && !READ_METHODS.has(request.method)) {
      await reply.code(403).send({ error: { code: 'FORBIDDEN', message: `a ${caller.role} token may only read; ${request.method} ${path} needs an admin token` } });
    }
  };

  async function verify(token: string): Promise<Caller | null> {
    const auth = current();
    const secret = auth.secret ? new TextEncoder().encode(auth.secret) : null;
    if (auth.type === 'token') return auth.token && safeEqual(token, auth.token) ? { via: 'token', subject: 'token', role: 'admin' } : null;
    if (!secret) return null;
    try {
      const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] });
      const role = payload.role === undefined ? 'admin' : payload.role;
      if (!ROLES.includes(role as Role)) return null;
      return { via: 'jwt', subject: typeof payload.sub === 'string' ? payload.sub : '(no subject)', role: role as Role };
    } catch {
      return null;
    }
  }
}

/** A signed HS256 token for `subject` with `role`, valid `ttlMs` from now. */
export async function mintToken(secret: string, claims: { subject: string; role: Role; ttlMs: number }): Promise<{ token: string; id: string; expiresAt: string }> {
  const id = randomUUID();
  const expires = Math.floor((Date.now() + claims.ttlMs) / 1000);
  const token = await new SignJWT({ role: claims.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.subject)
    .setJti(id)
    .setIssuer('hxe')
    .setIssuedAt()
    .setExpirationTime(expires)
    .sign(new TextEncoder().encode(secret));
  return { token, id, expiresAt: new Date(expires * 1000).toISOString() };
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
