/**
 * A work queue of service names (never events): duplicates collapse, and a
 * name is processed by one worker at a time. Level-triggered: a lost or
 * merged trigger costs nothing but latency, since each pass reads fresh state.
 */
export class WorkQueue {
  private readonly queued = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private draining = false;
  private closed = false;

  constructor(private readonly process: (name: string) => void | Promise<void>) {}

  add(name: string): void {
    if (this.closed) return;
    this.queued.add(name);
    if (!this.draining) {
      this.draining = true;
      queueMicrotask(() => void this.drain());
    }
  }

  addAll(names: Iterable<string>): void {
    for (const name of names) this.add(name);
  }

  /** Re-adds `name` after `ms` (an earlier pending re-add of it is kept if sooner). */
  addAfter(name: string, ms: number): void {
    if (this.closed || this.timers.has(name)) return;
    const timer = setTimeout(() => {
      this.timers.delete(name);
      this.add(name);
    }, ms);
    timer.unref();
    this.timers.set(name, timer);
  }

  close(): void {
    this.closed = true;
    this.queued.clear();
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private async drain(): Promise<void> {
    try {
      while (this.queued.size > 0 && !this.closed) {
        const [name] = this.queued;
        this.queued.delete(name);
        await this.process(name);
      }
    } finally {
      this.draining = false;
    }
  }
}
