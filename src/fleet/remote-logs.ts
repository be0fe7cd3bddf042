/**
 * `hxe logs NAME [-f]` against the fleet: request/reply to the node that
 * runs each instance (`hxe.<cluster>.logs.<node>`). The first request gets
 * the tail and the files' sizes; following asks again from those offsets
 * (a truncated or rotated file is read from its start, as on one host).
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { HxeError } from '../core/errors.js';
import type { InstanceView } from '../core/types.js';
import { decode, encode, subjects } from './connection.js';

/** What a node is asked: the tail (no offsets) or what was appended since `offsets`. */
export interface LogRequest {
  instance: string;
  tail: number;
  stream: 'out' | 'err' | 'both';
  offsets?: LogOffsets;
}

/** Bytes read so far of each of an instance's log files. */
export type LogOffsets = Partial<Record<'out' | 'err', number>>;

export interface LogReply {
  text?: string;
  offsets?: LogOffsets;
  error?: string;
}

/** How often a follower asks for new lines: the latency of `logs -f` in the fleet. */
export const FOLLOW_POLL_MS = 250;
const REQUEST_TIMEOUT_MS = 5_000;

export interface LogOptions {
  tail: number;
  stream: 'out' | 'err' | 'both';
  follow: boolean;
}

/** Prints the tail of each instance in `views` (one after the other); with `follow`, then every new line until `stopped()`. */
export async function instanceLogs(
  nc: NatsConnection, cluster: string, views: InstanceView[], options: LogOptions,
  onText: (text: string) => void, stopped: () => boolean,
): Promise<void> {
  const placed = views.filter((view) => view.status.node);
  const print = (view: InstanceView, text: string) => onText(views.length > 1 ? text.replace(/^(?=.)/gm, `[${view.name}] `) : text);
  const ask = async (view: InstanceView, offsets?: LogOffsets): Promise<LogReply> => {
    const request: LogRequest = { instance: view.name, tail: options.tail, stream: options.stream, offsets };
    const reply = await nc.request(subjects(cluster).logs(view.status.node!), encode(request), { timeout: REQUEST_TIMEOUT_MS })
      .catch(() => { throw new HxeError('AGENT_UNAVAILABLE', `node ${view.status.node} did not answer for ${view.name}`); });
    const answer = decode<LogReply>(reply.data) ?? {};
    if (answer.error) throw new HxeError('NOT_FOUND', answer.error);
    return answer;
  };
  const offsets = new Map<InstanceView, LogOffsets>();
  for (const view of placed) {
    const answer = await ask(view);
    print(view, answer.text ?? '');
    offsets.set(view, answer.offsets ?? {});
  }
  if (!options.follow) return;
  await Promise.all(placed.map((view) => follow(view, offsets.get(view)!)));

  async function follow(view: InstanceView, from: LogOffsets): Promise<void> {
    let at = from;
    while (!stopped()) {
      await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
      if (stopped()) return;
      // A node briefly away (NATS reconnecting) is asked again at the next poll; an instance gone from it ends its follow.
      const answer = await ask(view, at).catch((err: unknown) => (err instanceof HxeError && err.code === 'NOT_FOUND' ? null : ({} as LogReply)));
      if (answer === null) return;
      if (answer.text) print(view, answer.text);
      if (answer.offsets) at = answer.offsets;
    }
  }
}
