import { Writable } from 'node:stream';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLOURS: Record<number, string> = { 10: '\x1b[90m', 20: '\x1b[90m', 30: '\x1b[32m', 40: '\x1b[33m', 50: '\x1b[31m', 60: '\x1b[31m' };
/** Fields every line has, shown in the line's own columns or not at all. */
const SHOWN_APART = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/**
 * One NDJSON log line as a person reads it on a terminal:
 * `04:12:03.481 INFO  agent started  services=3 server=http://…`.
 * A line that is not JSON is passed through.
 */
export function prettyLine(line: string, colour: boolean): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = typeof record.level === 'number' ? record.level : 30;
  const time = typeof record.time === 'string' ? record.time.slice(11, 23) : '';
  const name = (LEVELS[level] ?? String(level)).padEnd(5);
  const fields = Object.entries(record).filter(([key]) => !SHOWN_APART.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`);
  const label = colour ? `${COLOURS[level] ?? ''}${name}\x1b[0m` : name;
  return [time, label, String(record.msg ?? ''), ...(fields.length ? [` ${fields.join(' ')}`] : [])].join(' ');
}

/**
 * A stream for pino that prints each record readably to `out` (a terminal),
 * so that `hxe agent run` shows what it does without another dependency.
 */
export function prettyStream(out: NodeJS.WritableStream & { isTTY?: boolean }): Writable {
  let rest = '';
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      const text = lines.filter(Boolean).map((line) => `${prettyLine(line, Boolean(out.isTTY) && !process.env.NO_COLOR)}\n`).join('');
      if (text) out.write(text);
      done();
    },
  });
}
