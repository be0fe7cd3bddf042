import type { HxeEvent } from '../core/types.js';

const DEFAULT_CAPACITY = 2000;

/** The agent's recent events (a ring buffer) and their live subscribers. */
export class EventLog {
  private readonly events: HxeEvent[] = [];
  private readonly subscribers = new Set<(event: HxeEvent) => void>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  record(event: Omit<HxeEvent, 'time'> & { time?: string }): HxeEvent {
    const full: HxeEvent = { time: new Date().toISOString(), ...event };
    this.events.push(full);
    if (this.events.length > this.capacity) this.events.splice(0, this.events.length - this.capacity);
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
}

/** `web-1` belongs to `web`; `web` to itself. */
export function belongsTo(instance: string, service: string): boolean {
  return instance === service || (instance.startsWith(`${service}-`) && /^\d+$/.test(instance.slice(service.length + 1)));
}
