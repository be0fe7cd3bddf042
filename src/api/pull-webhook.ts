/**
 * `POST /v1/syncs/pull` on the TCP API: a Git host's push webhook. The body
 * is authenticated by its HMAC-SHA256 under the configured secret, in
 * GitHub's `X-Hub-Signature-256: sha256=<hex>` header (Gitea, Forgejo and
 * GitLab-compatible senders use the same), compared in constant time; no
 * bearer token is needed, since a Git host cannot send one. Each synced
 * path that is a Git checkout (or the one `?path=` names) is brought
 * forward by `git pull --ff-only`, then synced as usual.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { EventLog } from '../events/event-log.js';
import { errorMessage } from '../core/errors.js';
import type { SyncRecord } from '../core/types.js';
import { currentBranch, isCheckout, pullFastForward } from '../runtime/git-remote.js';

export const PULL_PATH = '/v1/syncs/pull';

/** True when `header` is `sha256=` + the hex HMAC-SHA256 of `body` under `secret`. */
export function verifyHubSignature(secret: string, body: Buffer, header: string | undefined): boolean {
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header ?? '');
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(match[1], 'hex'));
}

export interface PullTarget {
  list(): SyncRecord[];
  pass(dir: string): Promise<SyncRecord>;
}

interface Pulled {
  path: string;
  before?: string;
  commit?: string;
  skipped?: string;
  error?: string;
}

/** Registers the route in a scope of its own that keeps the raw body (the signature is over its bytes). */
export function registerPullWebhook(app: FastifyInstance, syncs: PullTarget, secret: string, events: EventLog): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.post<{ Querystring: { path?: string } }>(PULL_PATH, async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const signature = request.headers['x-hub-signature-256'];
      if (!verifyHubSignature(secret, body, Array.isArray(signature) ? signature[0] : signature)) {
        return reply.code(401).send({ error: { code: 'UNAUTHORIZED', message: 'X-Hub-Signature-256 is missing or does not match the body' } });
      }
      if (request.headers['x-github-event'] === 'ping' || request.headers['x-gitea-event'] === 'ping') return { pong: true };
      const ref = refOf(body);
      const wanted = request.query.path ? path.resolve(request.query.path) : null;
      const targets = syncs.list().filter((record) => wanted === null || record.path === wanted);
      if (wanted !== null && targets.length === 0) return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `${wanted} is not synced` } });
      const pulled: Pulled[] = [];
      for (const record of targets) pulled.push(await pullOne(record.path, ref, syncs, events));
      return { pulled };
    });
  });
}

async function pullOne(dir: string, ref: string | null, syncs: PullTarget, events: EventLog): Promise<Pulled> {
  if (!(await isCheckout(dir))) return { path: dir, skipped: 'not a Git checkout' };
  const branch = await currentBranch(dir);
  // A push to another branch says nothing about this checkout.
  if (ref?.startsWith('refs/heads/') && branch !== null && ref !== `refs/heads/${branch}`) return { path: dir, skipped: `push to ${ref}, checkout on ${branch}` };
  try {
    const { before, after } = await pullFastForward(dir);
    events.record({ service: '', type: 'SyncPulled', message: `${dir}: webhook pull ${before.slice(0, 12)} → ${after.slice(0, 12)}` });
    const record = await syncs.pass(dir);
    return { path: dir, before, commit: after, ...(record.lastError ? { error: record.lastError.message } : {}) };
  } catch (err) {
    events.record({ service: '', type: 'SyncFailed', message: `${dir}: webhook pull failed: ${errorMessage(err)}` });
    return { path: dir, error: errorMessage(err) };
  }
}

/** The pushed ref of a push event's JSON body, if it has one. */
function refOf(body: Buffer): string | null {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { ref?: unknown };
    return typeof parsed.ref === 'string' ? parsed.ref : null;
  } catch {
    return null;
  }
}
