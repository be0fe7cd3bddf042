/**
 * The node side of `hxe logs` in a fleet: answers log requests with the
 * agent's own log sessions, keeping a follower's session (by its id) until
 * it stops polling.
 */
import type { Msg } from '@nats-io/transport-node';
import { errorMessage } from '../core/errors.js';
import type { LogSession, LogSessionOptions } from '../logs/log-session.js';
import { decode, encode } from './connection.js';
import type { LogRequest } from './remote-logs.js';

/** A follower that has not polled for this long is gone (killed CLI, lost connection): its session is dropped. */
const SESSION_IDLE_MS = 30_000;

export interface LogSource {
  /** Local instance names this node runs for the fleet. */
  mine(): Set<string>;
  openLogs(instances: string[], options: LogSessionOptions): Promise<LogSession>;
}

/** Returns the message handler and a function that drops every session. */
export function logAnswers(source: LogSource, node: string): { answer(msg: Msg): void; close(): void } {
  const sessions = new Map<string, { session: LogSession; idle: NodeJS.Timeout }>();
  const keep = (id: string, session: LogSession) => {
    const previous = sessions.get(id);
    if (previous) clearTimeout(previous.idle);
    const idle = setTimeout(() => sessions.delete(id), SESSION_IDLE_MS);
    idle.unref();
    sessions.set(id, { session, idle });
  };
  const handle = async (request: LogRequest | undefined): Promise<string> => {
    if (request && 'poll' in request) {
      const kept = sessions.get(request.poll);
      if (!kept) throw new Error(`no log session ${request.poll} on node ${node}`);
      keep(request.poll, kept.session);
      return kept.session.poll();
    }
    if (!request?.open) throw new Error('bad log request');
    const { instances, tail, stream, label, timestamps } = request.open;
    const missing = instances.filter((instance) => !source.mine().has(instance));
    if (missing.length > 0) throw new Error(`no instance ${missing.join(', ')} on node ${node}`);
    const session = await source.openLogs(instances, { tail, streams: stream === 'both' ? ['out', 'err'] : [stream], label, timestamps });
    if (request.id) keep(request.id, session);
    return session.backlog;
  };
  return {
    answer: (msg) => void handle(decode<LogRequest>(msg.data))
      .then((text) => msg.respond(encode({ text })))
      .catch((err: unknown) => msg.respond(encode({ error: errorMessage(err) }))),
    close: () => {
      for (const { idle } of sessions.values()) clearTimeout(idle);
      sessions.clear();
    },
  };
}
