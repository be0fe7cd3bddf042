import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import type { ProcessExit, ProcessIdentity, ProcessRuntime, ProbeContext, Prober, SpawnRequest, SpawnedProcess } from '../../src/core/ports.js';

/**
 * A recording fake of the ProcessRuntime port: spawns hand out pids (from
 * 900000 up, no real process), a stop ends the "process" with the signal
 * it was sent (unless `manualStops`), `exit` ends one as if it crashed.
 */
export class FakeRuntime implements ProcessRuntime {
  readonly spawned: SpawnRequest[] = [];
  readonly stopped: { pid: number; signal: string }[] = [];
  private readonly listeners = new Set<(exit: ProcessExit) => void>();
  private readonly live = new Map<number, string>();
  private nextPid = 900_000;
  /** When set, a stop only records: the "process" ends when the test calls `exit`. */
  manualStops = false;

  async spawn(request: SpawnRequest): Promise<SpawnedProcess> {
    this.spawned.push(request);
    const pid = this.nextPid++;
    this.live.set(pid, request.instance);
    return { pid, pidStartTime: null, pidBootId: null, pidCommand: request.spec.command, startedAt: new Date().toISOString() };
  }

  async stop(pid: number, signal: string): Promise<void> {
    this.stopped.push({ pid, signal });
    if (!this.manualStops) this.exit(pid, null, signal);
  }

  adopt(_pid: number, _identity: ProcessIdentity): boolean {
    return false;
  }

  async runContext(): Promise<ProbeContext> {
    return { cwd: null, env: {} };
  }

  onExit(listener: (exit: ProcessExit) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.listeners.clear();
  }

  /** Ends `pid` as an exit of the process would (once). */
  exit(pid: number, code: number | null, signal: string | null = null): void {
    if (!this.live.delete(pid)) return;
    for (const listener of this.listeners) listener({ pid, code, signal });
  }

  /** The pid of the live "process" of `instance`, if any. */
  pidOf(instance: string): number | undefined {
    return [...this.live].find(([, name]) => name === instance)?.[0];
  }
}

/** A Prober that answers every probe with `ok` (flip it to fail them). */
export class FakeProber implements Prober {
  ok = true;
  readonly probes: string[] = [];

  async probe(check: { type: string }): Promise<{ ok: boolean; at: string; latencyMs: number; message: string }> {
    this.probes.push(check.type);
    return { ok: this.ok, at: new Date().toISOString(), latencyMs: 0, message: this.ok ? 'ok' : 'failed' };
  }
}

/** A pino logger whose NDJSON lines are kept, parsed, in `lines`: tests assert on fields. */
export function recordingLogger(level = 'debug'): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level }, sink), lines };
}
