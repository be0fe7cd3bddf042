import { promises as fs } from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { HxeError, ManifestError } from '../core/errors.js';
import type { Agent } from './agent-operations.js';
import { registerLogRoutes } from './log-routes.js';
import { registerEnvRoutes } from './env-routes.js';
import { registerRoutes } from './routes.js';
import { registerWebRoutes } from '../web/routes.js';
import { createAuthHook, socketCaller } from './auth.js';
import { registerTokenRoutes } from './token-routes.js';
import { registerAuditHooks, type AuditSink } from './audit-hook.js';
import { createLiveRateLimitHook, liveCorsDelegator } from './live-hooks.js';
import type { ServerConfig } from '../config/schema.js';
import { registerSyncRoutes, type SyncRegistry } from './sync-routes.js';
import { registerMetricsRoutes, type MetricsRouteOptions } from './metrics-routes.js';
import type { ErrorBody } from './protocol.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { registerSecretRoutes } from './secret-routes.js';
import { registerPullWebhook } from './pull-webhook.js';

/** Requests larger than this are refused with 413 (a manifest set of thousands of services fits easily). */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

// forceCloseConnections: a follower (`events -w`, `get -w`, `logs -f`, the page) must not keep a stopping agent alive.

const STATUS_BY_CODE: Record<string, number> = {
  INVALID_MANIFEST: 400,
  BAD_USAGE: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  STORE_CORRUPT: 503,
  STORE_IO: 503,
};

export interface ApiServerOptions extends MetricsRouteOptions {
  logDir: string;
  /** `server.auth`, for minting tokens over the socket; null without a server block. */
  auth: ServerConfig['auth'] | null;
  /** Where every mutating call is recorded. */
  audit: AuditSink;
  syncs: SyncRegistry;
  /** `POST /v1/agent/reload`: reads the configuration files again. */
  reload?: (reason: string) => Promise<unknown>;
  /** The home's secrets (names and versions only ever leave through the API). */
  secrets?: SecretStore;
  onStopRequested: (keepServices: boolean) => void;
}

/** The agent's HTTP API on the Unix socket (0600: the file's permissions are the authentication). */
export function createApiServer(agent: Agent, options: ApiServerOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: MAX_BODY_BYTES, return503OnClosing: true, forceCloseConnections: true });
  const caller = socketCaller();
  app.addHook('onRequest', async (request) => { request.caller = caller; });
  registerAuditHooks(app, options.audit, () => agent.list());
  registerApi(app, agent, options);
  // Only here: minting needs the socket's owner.
  registerTokenRoutes(app, options.auth);
  return app;
}

/**
 * The same API on TCP, as the `server {}` block configures it: TLS, a bearer
 * token or JWT on every endpoint but health, CORS and a rate limit.
 */
export async function createTcpApiServer(agent: Agent, options: ApiServerOptions, server: ServerConfig, live: () => ServerConfig = () => server): Promise<FastifyInstance> {
  const https = server.tls.enabled
    ? { key: await fs.readFile(server.tls.key_file!), cert: await fs.readFile(server.tls.cert_file!) }
    : null;
  const app = Fastify({ logger: false, bodyLimit: MAX_BODY_BYTES, return503OnClosing: true, forceCloseConnections: true, ...(https ? { https } : {}) }) as unknown as FastifyInstance;
  if (server.cors.enabled) {
    const { default: cors } = await import('@fastify/cors');
    // Origins and methods as the configuration says now (a reload changes them).
    await app.register(cors, { delegator: liveCorsDelegator(live) });
  }
  app.addHook('onRequest', createLiveRateLimitHook(live));
  // Before the auth hook: refused calls are recorded too.
  registerAuditHooks(app, options.audit, () => agent.list());
  app.addHook('onRequest', createAuthHook(() => live().auth));
  registerApi(app, agent, options);
  if (server.pull_webhook) registerPullWebhook(app, options.syncs, server.pull_webhook.secret, agent.events);
  // The live page: on TCP only, since no browser reaches the Unix socket.
  registerWebRoutes(app);
  return app;
}

function registerApi(app: FastifyInstance, agent: Agent, options: ApiServerOptions): void {
  app.setErrorHandler((error, _request, reply) => sendError(reply, error));
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new HxeError('NOT_FOUND', `no route ${request.method} ${request.url}`)));
  registerRoutes(app, agent, options);
  registerLogRoutes(app, agent, options.logDir);
  registerEnvRoutes(app, agent);
  registerSyncRoutes(app, agent, options.syncs);
  registerMetricsRoutes(app, agent, options);
  if (options.secrets) registerSecretRoutes(app, options.secrets, agent.events);
  const { reload } = options;
  if (reload) app.post('/v1/agent/reload', async () => reload('requested'));
  // Who the page (or a script) is talking as, so that a read token's page offers no actions.
  app.get('/v1/whoami', async (request) => ({ subject: request.caller?.subject ?? null, role: request.caller?.role ?? null, via: request.caller?.via ?? null }));
}

/** Listens on a Unix socket readable and writable by the owner only. */
export async function listenOnSocket(app: FastifyInstance, socketPath: string): Promise<void> {
  await fs.rm(socketPath, { force: true });
  // The socket is created with the process umask: narrow it so that no other user
  // can connect even for an instant, then restore it (children inherit it).
  const previous = process.umask(0o177);
  try {
    await app.listen({ path: socketPath });
  } finally {
    process.umask(previous);
  }
  await fs.chmod(socketPath, 0o600);
}

function sendError(reply: FastifyReply, error: unknown): FastifyReply {
  const body: ErrorBody = { error: { code: 'INTERNAL', message: String(error) } };
  let status = 500;
  if (error instanceof HxeError) {
    status = STATUS_BY_CODE[error.code] ?? 500;
    body.error = { code: error.code, message: error.message };
    if (error instanceof ManifestError) body.error.issues = error.issues;
  } else if (isFastifyClientError(error)) {
    status = error.statusCode;
    body.error = { code: status === 413 ? 'TOO_LARGE' : 'BAD_REQUEST', message: error.message };
  } else if (error instanceof Error) {
    body.error.message = error.message;
  }
  return reply.status(status).send(body);
}

function isFastifyClientError(error: unknown): error is { statusCode: number; message: string } {
  const statusCode = (error as { statusCode?: unknown })?.statusCode;
  return typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500;
}
