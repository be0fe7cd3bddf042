import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { HxeError } from '../core/errors.js';
import type { SyncRecord } from '../core/types.js';
import type { Agent } from './agent-operations.js';
import { syncStatus } from './sync-status.js';

/** What the API needs of the GitOps registrations (the sync folder's SyncManager is the real one). */
export interface SyncRegistry {
  list(): SyncRecord[];
  register(dir: string, options: { prune: boolean; recursive: boolean }): Promise<SyncRecord>;
  unregister(dir: string): Promise<void>;
  /** One pass over a registered directory now (a pull webhook's new commits). */
  pass(dir: string): Promise<SyncRecord>;
}

interface SyncBody {
  path?: unknown;
  prune?: unknown;
  recursive?: unknown;
}

/** GitOps registrations: POST /v1/syncs registers (and runs a first pass), GET lists with drift, DELETE ends a watch. */
export function registerSyncRoutes(app: FastifyInstance, agent: Agent, syncs: SyncRegistry): void {
  app.get('/v1/syncs', async () => syncs.list().map((record) => syncStatus(record, agent.list())));
  app.post<{ Body: SyncBody }>('/v1/syncs', async (request) => {
    const dir = absolutePath(request.body?.path);
    const record = await syncs.register(dir, { prune: Boolean(request.body?.prune), recursive: Boolean(request.body?.recursive) });
    return syncStatus(record, agent.list());
  });
  app.delete<{ Querystring: { path?: string } }>('/v1/syncs', async (request) => {
    const dir = absolutePath(request.query.path);
    await syncs.unregister(dir);
    return { path: dir, stopped: true };
  });
}

function absolutePath(value: unknown): string {
  if (typeof value !== 'string' || !path.isAbsolute(value) || value.includes('\0')) {
    throw new HxeError('BAD_USAGE', 'path: expected an absolute directory path');
  }
  return path.resolve(value);
}
