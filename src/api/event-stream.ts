import type { FastifyReply } from 'fastify';
import { belongsTo, type EventLog } from '../events/event-log.js';
import type { HxeEvent } from '../core/types.js';

const KEEPALIVE_MS = 15_000;

/** Streams events as Server-Sent Events: the recent ones first, then live ones until the client goes. */
export function streamEvents(reply: FastifyReply, log: EventLog, recent: HxeEvent[], service?: string): FastifyReply {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const send = (event: HxeEvent) => raw.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
  recent.forEach(send);
  const unsubscribe = log.subscribe((event) => {
    if (!service || belongsTo(event.service, service)) send(event);
  });
  const keepalive = setInterval(() => raw.write(': keepalive\n\n'), KEEPALIVE_MS);
  keepalive.unref();
  raw.on('close', () => {
    unsubscribe();
    clearInterval(keepalive);
  });
  return reply;
}
