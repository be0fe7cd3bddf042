/**
 * `hxe logs` while no agent runs: the instances' log files read directly
 * (services write them themselves, and keep doing so after
 * `agent stop --keep-services`), as the agent's log route reads them.
 */
import { openLogSession } from '../logs/log-session.js';
import type { LogStream } from '../logs/log-files.js';
import { HxeError } from '../core/errors.js';
import type { HomePaths } from '../core/home.js';
import { noticeNoAgent, storedViews } from './offline.js';

const FOLLOW_POLL_MS = 200;

export interface LogOptions {
  tail: number;
  stream: 'out' | 'err' | 'both';
  follow: boolean;
  timestamps?: boolean;
}

/** Writes the tail of each log of the named services' instances (all without names; prefixed by instance when several); with `follow`, what is appended until `close`. */
export async function storedLogs(paths: HomePaths, names: string[], options: LogOptions, write: (text: string) => void): Promise<{ done: Promise<void>; close: () => void }> {
  noticeNoAgent();
  const instances = (await storedViews(paths, names)).filter((view) => names.length === 0 || names.includes(view.name) || names.includes(view.metadata.service));
  if (names.length > 0 && instances.length === 0) throw new HxeError('NOT_FOUND', `no such service: ${names.join(', ')}`);
  const streams: LogStream[] = options.stream === 'both' ? ['out', 'err'] : [options.stream];
  const session = await openLogSession(paths.logs, instances.map((view) => view.name), {
    tail: options.tail, streams, label: instances.length > 1, timestamps: Boolean(options.timestamps),
  });
  write(session.backlog);
  if (!options.follow) return { done: Promise.resolve(), close: () => undefined };
  let finish = () => {};
  const done = new Promise<void>((resolve) => { finish = resolve; });
  const timer = setInterval(async () => write(await session.poll().catch(() => '')), FOLLOW_POLL_MS);
  return { done, close: () => { clearInterval(timer); finish(); } };
}
