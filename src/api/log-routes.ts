import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Agent } from './agent-operations.js';
import type { LogStream } from '../logs/log-files.js';
import { openLogSession } from '../logs/log-session.js';
import { HxeError } from '../core/errors.js';
import type { InstanceView } from '../core/types.js';
import { validateNames } from './validate-request.js';

const FOLLOW_POLL_MS = 200;

interface LogQuery {
  tail?: string;
  stream?: 'out' | 'err' | 'both';
  follow?: string;
  timestamps?: string;
}

/**
 * GET /v1/services/:name/logs: the captured output of a service's instances
 * (or of one instance); GET /v1/logs?name=A&name=B: of several services, of
 * every service without a name. The last `tail` lines of each instance
 * across its streams (default 100, -1 all), prefixed with the instance name
 * when there are several; `follow=1` streams what is appended;
 * `timestamps=1` prefixes the lines read while following with the time read.
 */
export function registerLogRoutes(app: FastifyInstance, agent: Agent, logDir: string): void {
  app.get<{ Params: { name: string }; Querystring: LogQuery }>('/v1/services/:name/logs', async (request, reply) => {
    const instances = agent.list([request.params.name]).filter((v) => v.name === request.params.name || v.metadata.service === request.params.name);
    if (instances.length === 0) throw new HxeError('NOT_FOUND', `no such service: ${request.params.name}`);
    return sendLogs(reply, logDir, instances, request.query);
  });
  app.get<{ Querystring: LogQuery & { name?: string | string[] } }>('/v1/logs', async (request, reply) => {
    const given = request.query.name;
    const names = validateNames(given === undefined ? [] : Array.isArray(given) ? given : [given]);
    const instances = agent.list(names).filter((v) => names.length === 0 || names.includes(v.name) || names.includes(v.metadata.service));
    const missing = names.filter((name) => !instances.some((v) => v.name === name || v.metadata.service === name));
    if (missing.length > 0) throw new HxeError('NOT_FOUND', `no such service: ${missing.join(', ')}`);
    return sendLogs(reply, logDir, instances, request.query);
  });
}

async function sendLogs(reply: FastifyReply, logDir: string, instances: InstanceView[], query: LogQuery): Promise<FastifyReply> {
  const streams: LogStream[] = query.stream === 'out' ? ['out'] : query.stream === 'err' ? ['err'] : ['out', 'err'];
  const tail = query.tail === undefined ? 100 : Number(query.tail);
  if (!Number.isInteger(tail)) throw new HxeError('BAD_USAGE', 'tail: expected an integer');
  const session = await openLogSession(logDir, instances.map((v) => v.name), {
    tail, streams, label: instances.length > 1, timestamps: query.timestamps === '1',
  });
  if (query.follow !== '1') return reply.type('text/plain; charset=utf-8').send(session.backlog);
  reply.hijack();
  reply.raw.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' });
  reply.raw.write(session.backlog);
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    // A file that cannot be read this time is read again next time.
    const text = await session.poll().catch(() => '');
    busy = false;
    if (text) reply.raw.write(text);
  }, FOLLOW_POLL_MS);
  reply.raw.on('close', () => clearInterval(timer));
  return reply;
}
