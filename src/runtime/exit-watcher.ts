/**
 * Tells when watched processes exit, once each. Our own children report
 * through their 'exit' event (Node reaps them, so no zombie is left). Adopted
 * processes — left running by an earlier agent — are not our children: we
 * cannot wait() for them, so one shared timer polls an open /proc/PID/stat
 * of each (stat-handle.ts), and their exit code is unknown. Their zombies
 * are reaped by PID 1 (or a subreaper), not by us; a zombie counts as exited.
 */
import type { ProcessExit, ProcessIdentity } from '../core/ports.js';
import { checkIdentity } from './proc.js';
import { openStatHandle, type StatHandle } from './stat-handle.js';
import type { ChildHandle } from './spawn-process.js';

/** How often adopted processes are checked for exit. */
export const DEFAULT_POLL_INTERVAL_MS = 250;

/** The one logger method the runtime needs (pino's fits). */
export interface WarnLogger {
  warn(obj: object, msg?: string): void;
}

/** Exit reporting for our children and adopted processes. */
export interface ExitWatcher {
  /**
   * Reports the child's exit (from its 'spawn' event on if it has no pid
   * yet; never for a child that gets none), but not before the returned
   * release is called: the spawn's caller must know the pid before its
   * exit. `exited(pid)` resolves without waiting for the release.
   */
  watchChild(child: ChildHandle): () => void;
  /** Resolves when our child `pid` has exited; undefined if it is not a running child of ours. */
  exited(pid: number): Promise<void> | undefined;
  /** Starts polling a live process that is not ours; false if it is gone or not the recorded one (see checkIdentity). */
  adopt(pid: number, identity: ProcessIdentity): boolean;
  onExit(listener: (exit: ProcessExit) => void): () => void;
  /** Stops the timer, forgets listeners and processes; they keep running. */
  close(): void;
}

/** A watcher; a listener that throws is logged and does not stop the others. */
export function createExitWatcher(options: { pollIntervalMs?: number; logger?: WarnLogger } = {}): ExitWatcher {
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const listeners = new Set<(exit: ProcessExit) => void>();
  const children = new Map<number, { child: ChildHandle; exited: Promise<void> }>();
  const adopted = new Map<number, StatHandle>();
  let timer: NodeJS.Timeout | null = null;

  function emit(exit: ProcessExit): void {
    for (const listener of [...listeners]) {
      try {
        listener(exit);
      } catch (err) {
        options.logger?.warn({ err, pid: exit.pid }, 'exit listener failed');
      }
    }
  }

  function poll(): void {
    for (const [pid, handle] of adopted) {
      if (handle.running()) continue;
      handle.close();
      adopted.delete(pid);
      emit({ pid, code: null, signal: null });
    }
    if (adopted.size === 0) stopTimer();
  }

  function stopTimer(): void {
    if (timer) clearInterval(timer);
    timer = null;
  }

  /** Watches `child` as `pid`; its exit is told to listeners only once `held.released`. */
  function watch(child: ChildHandle, pid: number, held: Hold): void {
    const exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        children.delete(pid);
        resolve();
        held.deliver(() => emit({ pid, code, signal }));
      });
    });
    children.set(pid, { child, exited });
  }

  return {
    watchChild(child) {
      const held = new Hold();
      // A child of the spawn helper gets its pid with its 'spawn' event, before any other listener of it.
      if (child.pid === undefined) child.once('spawn', () => watch(child, child.pid as number, held));
      else watch(child, child.pid, held);
      return () => held.release();
    },
    exited: (pid) => children.get(pid)?.exited,
    adopt(pid, identity) {
      if (children.has(pid)) return true;
      const check = checkIdentity(pid, identity);
      if (!check.same) {
        options.logger?.warn({ pid, why: check.why }, 'not adopting the recorded process');
        return false;
      }
      if (check.commandChanged !== null) {
        options.logger?.warn({ pid, recorded: identity.command, now: check.commandChanged },
          'adopting a process whose command line changed since it started (an exec or a new title): same start time, same process');
      }
      // The handle is opened after the check: a process that exits in between reads as an exit at the next poll.
      const handle = openStatHandle(pid);
      if (!handle) return false;
      adopted.get(pid)?.close();
      adopted.set(pid, handle);
      // unref: watching must not keep the agent's event loop alive.
      timer ??= setInterval(poll, pollIntervalMs).unref();
      return true;
    },
    onExit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      stopTimer();
      listeners.clear();
      for (const handle of adopted.values()) handle.close();
      adopted.clear();
      // A running child handle keeps Node's event loop alive: let the agent exit without it.
      for (const { child } of children.values()) child.unref();
      children.clear();
    },
  };
}


/** An exit held until the spawn that started the process has returned its pid. */
class Hold {
  private released = false;
  private held: (() => void) | null = null;

  deliver(tell: () => void): void {
    if (this.released) tell();
    else this.held = tell;
  }

  release(): void {
    this.released = true;
    const tell = this.held;
    this.held = null;
    tell?.();
  }
}
