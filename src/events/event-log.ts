import { closeSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import type { HxeEvent } from '../core/types.js';

/** Events kept, in memory and on disk. */
export const EVENT_LOG_CAPACITY = 2000;

/**
 * The agent's recent events (a ring buffer) and their live subscribers.
 * With a file (`$HXE_HOME/events.log`, NDJSON, 0600), each event is also
 * appended there, and the next agent starts with them: `describe`, `events`
 * and the page keep their history across a restart. The file holds at most
 * twice the capacity: past that it is rewritten with the newest events.
 * Events are said by hxe itself (states, reasons, names), never a spec's
 * values, so the file holds no secret.
 */
export class EventLog {
  private readonly events: HxeEvent[] = [];
  private readonly subscribers = new Set<(event: HxeEvent) => void>();
  private fd: number | null = null;
  private appended = 0;

  constructor(private readonly capacity = EVENT_LOG_CAPACITY, private readonly file: string | null = null) {}

  /**
   * An event log kept in `file`: the events found there are loaded (lines
   * that do not parse, as a line cut by a crash, are skipped), the file is
   * rewritten with them and then appended to. Throws if the file cannot be
   * written.
   */
  static open(file: string, capacity = EVENT_LOG_CAPACITY): EventLog {
    const log = new EventLog(capacity, file);
    log.events.push(...readEvents(file).slice(-capacity));
    log.compact();
    return log;
  }

  record(event: Omit<HxeEvent, 'time'> & { time?: string }): HxeEvent {
    const full: HxeEvent = { time: new Date().toISOString(), ...event };
    this.events.push(full);
    if (this.events.length > this.capacity) this.events.splice(0, this.events.length - this.capacity);
    this.append(full);
    for (const subscriber of this.subscribers) subscriber(full);
    return full;
  }

  /** Recent events, oldest first; `service` filters on a service or its instances. */
  list(service?: string, limit = 100): HxeEvent[] {
    const matching = service ? this.events.filter((e) => belongsTo(e.service, service)) : this.events;
    return matching.slice(-limit);
  }

  subscribe(subscriber: (event: HxeEvent) => void): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** Stops writing to the file (events are still kept in memory). */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private append(event: HxeEvent): void {
    if (this.fd === null) return;
    try {
      writeSync(this.fd, `${JSON.stringify(event)}\n`);
      if (++this.appended >= this.capacity) this.compact();
    } catch {
      // A full disk must not stop the agent: the events are still kept in memory and served.
    }
  }

  /** Rewrites the file with the events in memory (temp file, rename), and appends to it from now on. */
  private compact(): void {
    if (this.file === null) return;
    this.close();
    const temp = `${this.file}.tmp`;
    writeFileSync(temp, this.events.map((event) => `${JSON.stringify(event)}\n`).join(''), { mode: 0o600 });
    renameSync(temp, this.file);
    this.fd = openSync(this.file, 'a', 0o600);
    this.appended = 0;
  }
}

/** The events kept in `file` (oldest first), read without an agent; `service` filters as `list` does. */
export function readEventFile(file: string, service?: string, limit = 100): HxeEvent[] {
  const events = readEvents(file);
  return (service ? events.filter((e) => belongsTo(e.service, service)) : events).slice(-limit);
}

function readEvents(file: string): HxeEvent[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').flatMap((line) => {
    try {
      const value = JSON.parse(line) as Partial<HxeEvent>;
      return isEvent(value) ? [value] : [];
    } catch {
      return [];
    }
  });
}

function isEvent(value: Partial<HxeEvent> | null): value is HxeEvent {
  return typeof value === 'object' && value !== null && typeof value.time === 'string' && typeof value.service === 'string'
    && typeof value.type === 'string' && typeof value.message === 'string';
}

/** `web-1` belongs to `web`; `web` to itself. */
export function belongsTo(instance: string, service: string): boolean {
  return instance === service || (instance.startsWith(`${service}-`) && /^\d+$/.test(instance.slice(service.length + 1)));
}
