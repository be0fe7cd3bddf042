/**
 * `hxe logs NAME [-f]` against the fleet: request/reply to each node that
 * runs instances of NAME (`hxe.<cluster>.logs.<node>`). The node opens the
 * same log session as one host over its instances (the same tail, labels
 * and timestamps); following polls that session by its id.
 */
import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import { HxeError } from '../core/errors.js';
import type { InstanceView } from '../core/types.js';
import { decode, encode, subjects } from './connection.js';

/** What a node is asked: open a session over `instances` (kept under `id` to follow), or poll session `id`. */
export type LogRequest =
  | { open: { instances: string[]; tail: number; stream: 'out' | 'err' | 'both'; label: boolean; timestamps: boolean }; id?: string }
  | { poll: string };

export interface LogReply {
  text?: string;
  error?: string;
}

/** How often a follower asks for new lines: the latency of `logs -f` in the fleet (one host polls as often). */
export const FOLLOW_POLL_MS = 250;
const REQUEST_TIMEOUT_MS = 5_000;

export interface LogOptions {
  tail: number;
  stream: 'out' | 'err' | 'both';
  follow: boolean;
  timestamps?: boolean;
}

/** Prints each node's backlog of `views` (node after node); with `follow`, then every new line until `stopped()`. */
export async function instanceLogs(
  nc: NatsConnection, cluster: string, views: InstanceView[], options: LogOptions,
  onText: (text: string) => void, stopped: () => boolean,
): Promise<void> {
  const byNode = new Map<string, string[]>();
  for (const view of views) if (view.status.node) byNode.set(view.status.node, [...(byNode.get(view.status.node) ?? []), view.name]);
  const ask = async (node: string, request: LogRequest): Promise<LogReply> => {
    const reply = await nc.request(subjects(cluster).logs(node), encode(request), { timeout: REQUEST_TIMEOUT_MS })
      .catch(() => { throw new HxeError('AGENT_UNAVAILABLE', `node ${node} did not answer for ${byNode.get(node)!.join(', ')}`); });
    const answer = decode<LogReply>(reply.data) ?? {};
    if (answer.error) throw new HxeError('NOT_FOUND', answer.error);
    return answer;
  };
  const sessions: { node: string; id: string }[] = [];
  for (const [node, instances] of byNode) {
    const id = options.follow ? randomUUID() : undefined;
    const open = { instances, tail: options.tail, stream: options.stream, label: views.length > 1, timestamps: Boolean(options.timestamps) };
    onText((await ask(node, { open, id })).text ?? '');
    if (id) sessions.push({ node, id });
  }
  await Promise.all(sessions.map(async ({ node, id }) => {
    while (!stopped()) {
      await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
      if (stopped()) return;
      // A node briefly away (NATS reconnecting) is asked again at the next poll; a session the node no longer has ends.
      const answer = await ask(node, { poll: id }).catch((err: unknown) => (err instanceof HxeError && err.code === 'NOT_FOUND' ? null : {} as LogReply));
      if (answer === null) return;
      if (answer.text) onText(answer.text);
    }
  }));
}
