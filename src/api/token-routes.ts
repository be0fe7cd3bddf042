import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from '../config/schema.js';
import { errorMessage, HxeError } from '../core/errors.js';
import { parseDuration } from '../manifest/duration.js';
import { mintToken, ROLES, type Role } from './auth.js';

export interface TokenRequest {
  role?: Role;
  /** A duration such as "1h"; default: `server.auth.token_expiry`. */
  ttl?: string;
  /** Who the token is for (its `sub`); default: the socket's user. */
  subject?: string;
}

export interface TokenResponse {
  token: string;
  id: string;
  subject: string;
  role: Role;
  expiresAt: string;
}

const SUBJECT = /^[A-Za-z0-9@._:+-]{1,100}$/;

/**
 * POST /v1/tokens: mints a JWT for the TCP API. Registered on the Unix
 * socket only, so only the agent's owner (or root) can mint. 400 when the
 * agent has no `server { auth { type = "jwt" } }`, or for a bad role, ttl
 * or subject.
 */
export function registerTokenRoutes(app: FastifyInstance, auth: ServerConfig['auth'] | null): void {
  app.post<{ Body: TokenRequest | null }>('/v1/tokens', async (request): Promise<TokenResponse> => {
    if (!auth || auth.type !== 'jwt' || !auth.secret) {
      throw new HxeError('BAD_USAGE', 'tokens need server { auth { type = "jwt", secret = "env:JWT_SECRET" } } in the agent\'s configuration');
    }
    const body = request.body ?? {};
    if (typeof body !== 'object' || Array.isArray(body)) throw new HxeError('BAD_USAGE', 'expected a JSON object');
    const role = body.role ?? 'admin';
    if (!ROLES.includes(role)) throw new HxeError('BAD_USAGE', `role: expected admin or read, got ${JSON.stringify(role)}`);
    const subject = body.subject ?? request.caller?.subject ?? 'hxe';
    if (typeof subject !== 'string' || !SUBJECT.test(subject)) {
      throw new HxeError('BAD_USAGE', `subject: expected up to 100 letters, digits or @._:+-, got ${JSON.stringify(subject)}`);
    }
    const ttlMs = body.ttl === undefined ? auth.token_expiry : ttlOf(body.ttl);
    const minted = await mintToken(auth.secret, { subject, role, ttlMs });
    return { ...minted, subject, role };
  });
}

function ttlOf(ttl: unknown): number {
  if (typeof ttl !== 'string') throw new HxeError('BAD_USAGE', `ttl: expected a duration such as "1h", got ${JSON.stringify(ttl)}`);
  let ms: number;
  try {
    ms = parseDuration(ttl);
  } catch (err) {
    throw new HxeError('BAD_USAGE', `ttl: ${errorMessage(err)}`);
  }
  if (ms <= 0) throw new HxeError('BAD_USAGE', `ttl: expected a duration above 0, got ${JSON.stringify(ttl)}`);
  return ms;
}
