import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditEntry } from '../audit/audit-log.js';
import type { InstanceView } from '../core/types.js';

/** The audit trail, as the API sees it. */
export interface AuditSink {
  record(entry: AuditEntry): void;
}

/** Calls that change nothing though they are POSTs. */
const READ_ONLY_POSTS = new Set(['/v1/plan']);
const ACTIONS: Record<string, string> = {
  'POST /v1/apply': 'apply',
  'POST /v1/delete': 'delete',
  'POST /v1/stop': 'stop',
  'POST /v1/start': 'start',
  'POST /v1/restart': 'restart',
  'POST /v1/syncs': 'sync',
  'DELETE /v1/syncs': 'sync-stop',
  'POST /v1/syncs/pull': 'sync-pull',
  'POST /v1/tokens': 'token',
  'POST /v1/agent/stop': 'agent-stop',
  'POST /v1/agent/reload': 'agent-reload',
};

interface Pending {
  before: Map<string, number> | null;
  error?: string;
  details?: Record<string, unknown>;
}

declare module 'fastify' {
  interface FastifyRequest {
    audit?: Pending;
  }
}

/**
 * Records every call that may change something (any method but GET, HEAD
 * and OPTIONS, and POST /v1/plan), refused ones included: who, what (names,
 * generations before → after) and the outcome. Hooks only, so routes need
 * not know about it.
 */
export function registerAuditHooks(app: FastifyInstance, sink: AuditSink, list: () => InstanceView[]): void {
  const audited = (request: FastifyRequest) =>
    !['GET', 'HEAD', 'OPTIONS'].includes(request.method) && !READ_ONLY_POSTS.has(pathOf(request));
  app.addHook('onRequest', async (request) => {
    if (audited(request)) request.audit = { before: null };
  });
  app.addHook('preHandler', async (request) => {
    if (request.audit) request.audit.before = generations(list());
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.audit && typeof payload === 'string') notePayload(request.audit, reply.statusCode, payload);
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    if (request.audit) sink.record(entryOf(request, reply, request.audit, list));
  });
}

function entryOf(request: FastifyRequest, reply: FastifyReply, pending: Pending, list: () => InstanceView[]): AuditEntry {
  const route = `${request.method} ${pathOf(request)}`;
  const status = reply.statusCode;
  const caller = request.caller;
  const entry: AuditEntry = {
    time: new Date().toISOString(),
    who: caller ? { via: caller.via, subject: caller.subject, role: caller.role, ...(caller.uid !== undefined ? { uid: caller.uid } : {}) }
      : { via: 'tcp', subject: '(unauthenticated)', role: null },
    action: ACTIONS[route] ?? route,
    outcome: status < 400 ? 'ok' : status === 401 || status === 403 ? 'denied' : 'error',
    status,
  };
  if (caller?.via !== 'socket') entry.who.address = request.ip;
  const names = namesOf(request);
  if (names) entry.names = names;
  if (pending.before) {
    const after = generations(list());
    const changes = [...new Set([...pending.before.keys(), ...after.keys()])].sort()
      .filter((name) => pending.before!.get(name) !== after.get(name))
      .map((name) => ({ name, before: pending.before!.get(name) ?? null, after: after.get(name) ?? null }));
    if (changes.length > 0) entry.changes = changes;
  }
  const target = syncPath(request);
  if (pending.details || target) entry.details = { ...(target ? { path: target } : {}), ...pending.details };
  if (pending.error) entry.error = pending.error;
  return entry;
}

/** Service names and what else identifies the target; never specs, environments or tokens. */
function namesOf(request: FastifyRequest): string[] | undefined {
  const body = (request.body ?? {}) as Record<string, unknown>;
  if (Array.isArray(body.services)) {
    return body.services.map((s) => String((s as { name?: unknown })?.name ?? '')).filter(Boolean).slice(0, 1000);
  }
  if (body.all === true) return ['*'];
  if (Array.isArray(body.names)) return body.names.map(String).slice(0, 1000);
  return undefined;
}

/** The error (code and message; for invalid manifests only where, never values), or what a token was minted for. */
function notePayload(pending: Pending, status: number, payload: string): void {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(payload) as Record<string, unknown>;
  } catch {
    return;
  }
  const error = body.error as { code?: string; message?: string; issues?: { file: string; line: number | null; path: string }[] } | undefined;
  if (status >= 400 && error) {
    pending.error = error.issues
      ? `${error.code}: ${error.issues.length} issue(s) at ${error.issues.slice(0, 10).map((i) => `${i.file}:${i.line ?? ''} ${i.path}`).join(', ')}`
      : `${error.code}: ${String(error.message ?? '').slice(0, 300)}`;
  } else if (typeof body.token === 'string') {
    pending.details = { token_id: body.id, subject: body.subject, role: body.role, expires_at: body.expiresAt };
  } else if (body.dryRun === true || (body.applied === false && body.plan)) {
    pending.details = { applied: false };
  }
}

function syncPath(request: FastifyRequest): string | undefined {
  if (pathOf(request) !== '/v1/syncs') return undefined;
  const body = (request.body ?? {}) as { path?: unknown };
  const query = (request.query ?? {}) as { path?: unknown };
  const value = body.path ?? query.path;
  return typeof value === 'string' ? value : undefined;
}

function generations(views: InstanceView[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const view of views) map.set(view.metadata.service, view.metadata.generation);
  return map;
}

function pathOf(request: FastifyRequest): string {
  return request.url.split('?')[0];
}
