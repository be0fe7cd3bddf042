import { promises as fs } from 'node:fs';
import { logFile, readFrom, tailFile, type LogStream } from './log-files.js';

export interface LogSessionOptions {
  /** Lines per instance, across its streams (-1: all). */
  tail: number;
  streams: LogStream[];
  /** Prefix each line with `[instance] `. */
  label: boolean;
  /** Prefix each line read while following with the time it was read. */
  timestamps: boolean;
}

/** What `hxe logs` prints: the backlog, then whatever each poll finds appended. */
export interface LogSession {
  backlog: string;
  poll(): Promise<string>;
}

interface Source {
  file: string;
  label: string;
  offset: number;
  /** False while the last text read ended inside a line: its rest gets no prefix. */
  atLineStart: boolean;
}

/**
 * Reads the logs of `instances`. Services write their files themselves, so
 * no line carries a time: the backlog of an instance is the last `tail`
 * lines of its streams together, the stream modified last placed last (the
 * order within an instance is exact per stream only); lines read while
 * following come in the order they are read (every poll, so across
 * instances within a poll's interval) and, with `timestamps`, carry the
 * time they were read.
 */
export async function openLogSession(logDir: string, instances: string[], options: LogSessionOptions): Promise<LogSession> {
  const sources: Source[] = [];
  let backlog = '';
  for (const instance of instances) {
    const label = options.label ? `[${instance}] ` : '';
    const mine = options.streams.map((stream) => ({ file: logFile(logDir, instance, stream), label, offset: 0, atLineStart: true }));
    backlog += await instanceTail(mine, options.tail);
    sources.push(...mine);
  }
  return {
    backlog,
    async poll() {
      const time = options.timestamps ? `${new Date().toISOString()} ` : '';
      let text = '';
      for (const source of sources) {
        const next = await readFrom(source.file, source.offset);
        if (next.size < source.offset) source.atLineStart = true;
        source.offset = next.size;
        if (!next.text) continue;
        text += prefix(next.text, source.label + time, source.atLineStart);
        source.atLineStart = next.text.endsWith('\n');
      }
      return text;
    },
  };
}

/** The last `tail` lines of an instance's streams together, labelled; sets each source's offset to its end. */
async function instanceTail(sources: Source[], tail: number): Promise<string> {
  const read = await Promise.all(sources.map(async (source) => {
    const tailed = await tailFile(source.file, tail);
    source.offset = tailed.size;
    const mtime = (await fs.stat(source.file).catch(() => null))?.mtimeMs ?? 0;
    return { lines: tailed.text ? tailed.text.replace(/\n$/, '').split('\n') : [], mtime, label: source.label };
  }));
  read.sort((a, b) => a.mtime - b.mtime);
  const lines = read.flatMap((r) => r.lines.map((line) => r.label + line));
  const kept = tail < 0 ? lines : lines.slice(-tail);
  return tail === 0 || kept.length === 0 ? '' : `${kept.join('\n')}\n`;
}

function prefix(text: string, label: string, atLineStart: boolean): string {
  if (!label) return text;
  const prefixed = text.replace(/\n(?=.)/g, `\n${label}`);
  return atLineStart ? label + prefixed : prefixed;
}
