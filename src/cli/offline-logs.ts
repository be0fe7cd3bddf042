/**
 * `hxe logs` while no agent runs: the instances' log files read directly
 * (services write them themselves, and keep doing so after
 * `agent stop --keep-services`), as the agent's log route reads them.
 */
import { logFile, readFrom, tailFile, type LogStream } from '../logs/log-files.js';
import type { HomePaths } from '../core/home.js';
import { noticeNoAgent, storedViews } from './offline.js';

const FOLLOW_POLL_MS = 200;

export interface LogOptions {
  tail: number;
  stream: 'out' | 'err' | 'both';
  follow: boolean;
}

/** Writes the tail of each log of NAME's instances (prefixed by instance when several); with `follow`, what is appended until `close`. */
export async function storedLogs(paths: HomePaths, name: string, options: LogOptions, write: (text: string) => void): Promise<{ done: Promise<void>; close: () => void }> {
  noticeNoAgent();
  const instances = (await storedViews(paths, [name])).filter((view) => view.name === name || view.metadata.service === name);
  const streams: LogStream[] = options.stream === 'both' ? ['out', 'err'] : [options.stream];
  const label = (instance: string) => (instances.length > 1 ? `[${instance}] ` : '');
  const sources = instances.flatMap((view) => streams.map((stream) => ({ file: logFile(paths.logs, view.name, stream), label: label(view.name), offset: 0 })));
  for (const source of sources) {
    const tailed = await tailFile(source.file, options.tail);
    source.offset = tailed.size;
    write(prefixLines(tailed.text, source.label));
  }
  if (!options.follow) return { done: Promise.resolve(), close: () => undefined };
  let finish = () => {};
  const done = new Promise<void>((resolve) => { finish = resolve; });
  const timer = setInterval(async () => {
    for (const source of sources) {
      const next = await readFrom(source.file, source.offset);
      source.offset = next.size;
      if (next.text) write(prefixLines(next.text, source.label));
    }
  }, FOLLOW_POLL_MS);
  return { done, close: () => { clearInterval(timer); finish(); } };
}

function prefixLines(text: string, label: string): string {
  return label && text ? text.replace(/^(?=.)/gm, label) : text;
}
