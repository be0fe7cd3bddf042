import type { FastifyInstance } from 'fastify';
import type { Agent } from './agent-operations.js';
import { logFile, readFrom, tailFile, type LogStream } from '../logs/log-files.js';
import { HxeError } from '../core/errors.js';

const FOLLOW_POLL_MS = 200;

interface LogQuery {
  tail?: string;
  stream?: 'out' | 'err' | 'both';
  follow?: string;
}

/**
 * GET /v1/services/:name/logs: the captured output of a service's instances,
 * the last `tail` lines of each (default 100, -1 all), prefixed with the
 * instance name when there are several; `follow=1` streams what is appended.
 */
export function registerLogRoutes(app: FastifyInstance, agent: Agent, logDir: string): void {
  app.get<{ Params: { name: string }; Querystring: LogQuery }>('/v1/services/:name/logs', async (request, reply) => {
    const instances = agent.list([request.params.name]).filter((v) => v.name === request.params.name || v.metadata.service === request.params.name);
    if (instances.length === 0) throw new HxeError('NOT_FOUND', `no such service: ${request.params.name}`);
    const streams: LogStream[] = request.query.stream === 'out' ? ['out'] : request.query.stream === 'err' ? ['err'] : ['out', 'err'];
    const tail = request.query.tail === undefined ? 100 : Number(request.query.tail);
    if (!Number.isInteger(tail)) throw new HxeError('BAD_USAGE', 'tail: expected an integer');
    const prefix = instances.length > 1;
    const sources = instances.flatMap((view) => streams.map((stream) => ({
      file: logFile(logDir, view.name, stream), label: prefix ? `[${view.name}] ` : '', offset: 0,
    })));
    let text = '';
    for (const source of sources) {
      const tailed = await tailFile(source.file, tail);
      source.offset = tailed.size;
      text += prefixLines(tailed.text, source.label);
    }
    if (request.query.follow !== '1') return reply.type('text/plain; charset=utf-8').send(text);
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' });
    reply.raw.write(text);
    const timer = setInterval(async () => {
      for (const source of sources) {
        const next = await readFrom(source.file, source.offset);
        source.offset = next.size;
        if (next.text) reply.raw.write(prefixLines(next.text, source.label));
      }
    }, FOLLOW_POLL_MS);
    reply.raw.on('close', () => clearInterval(timer));
    return reply;
  });
}

function prefixLines(text: string, label: string): string {
  if (!label || !text) return text;
  return text.replace(/^(?=.)/gm, label);
}
