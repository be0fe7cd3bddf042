/**
 * The agent's side of the spawn helper (spawn-helper-main.ts): a launcher
 * whose children are forked by a small process of ours instead of by the
 * agent. Started by `start()` (the runtime calls it once it has closed the
 * descriptors that no child may inherit) or by the first launch, and again
 * after it is lost: its own start takes ~0.1–0.3 s, which no spawn should wait for.
 *
 * If the helper dies, the services it forked go on running but are no
 * longer anyone's children we can wait for: each is then watched as an
 * adopted process is (an open /proc/PID/stat, polled), and its exit is
 * reported without a code. Launches it had not answered fail.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LaunchSpec } from './launch.js';
import { openStatHandle, type StatHandle } from './stat-handle.js';
import type { ChildHandle } from './spawn-process.js';

/** Starts processes: inline (launch.ts) or through the helper. */
export interface Launcher {
  /** Makes ready what launches need, so that the first launch does not wait for it. */
  start?(): void;
  launch(spec: LaunchSpec): ChildHandle;
  /** Lets go of what it holds; the processes it started run on. */
  close(): void;
}

/**
 * V8 flags of the helper: no JIT (its work per spawn is a JSON line and a
 * call of execa: measured as fast, 5 MB less code space), no V8 helper
 * threads and a small young generation, as the agent.
 */
export const HELPER_NODE_FLAGS = ['--jitless', '--single-threaded', '--max-semi-space-size=1'];

/**
 * The helper's environment: the agent's, without NODE_EXTRA_CA_CERTS. Node
 * reads and parses that bundle at every start, TLS or not (a 220 kB bundle:
 * 42 ms of start and 1.1 MB of private memory, measured), and the helper
 * opens no connection. Its services never see this environment: the agent
 * builds theirs, and the helper passes it on as it is.
 */
function helperEnv(): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _notForTheHelper, ...env } = process.env;
  return env;
}

export interface SpawnHelperOptions {
  /** The helper's entry file (default: spawn-helper.js beside this module, as built in dist/). */
  entry?: string;
  /** Node options before the entry (default HELPER_NODE_FLAGS; tests run the TypeScript source with a loader). */
  execArgv?: string[];
  /** How often services of a lost helper are checked for exit (default 250 ms). */
  pollIntervalMs?: number;
  logger?: { warn(obj: object, msg?: string): void };
}

export interface SpawnHelper extends Launcher {
  /** The helper's pid while it runs (for tests and diagnostics). */
  readonly pid: number | undefined;
}

type HelperReply =
  | { id: number; pid: number }
  | { id: number; error: { code?: string; message: string } }
  | { id: number; exit: [number | null, NodeJS.Signals | null] };

class RemoteChild extends EventEmitter implements ChildHandle {
  pid?: number;
  unref(): void {}
}

export function createSpawnHelper(options: SpawnHelperOptions = {}): SpawnHelper {
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const entry = options.entry ?? fileURLToPath(new URL('./spawn-helper.js', import.meta.url));
  let helper: ChildProcess | null = null;
  let nextId = 1;
  /** Launches not yet answered, and children that run. */
  const pending = new Map<number, RemoteChild>();
  const running = new Map<number, RemoteChild>();
  /** Children of a lost helper, until they exit. */
  const orphans = new Map<RemoteChild, StatHandle>();
  let pollTimer: NodeJS.Timeout | null = null;

  function onReply(reply: HelperReply): void {
    if ('pid' in reply) {
      const child = pending.get(reply.id);
      pending.delete(reply.id);
      if (!child) return;
      child.pid = reply.pid;
      running.set(reply.id, child);
      child.emit('spawn');
    } else if ('error' in reply) {
      const child = pending.get(reply.id);
      pending.delete(reply.id);
      child?.emit('error', Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    } else {
      const child = running.get(reply.id);
      running.delete(reply.id);
      child?.emit('exit', reply.exit[0], reply.exit[1]);
    }
  }

  function start(): ChildProcess {
    const started = spawn(process.execPath, [...(options.execArgv ?? HELPER_NODE_FLAGS), entry], { stdio: ['pipe', 'pipe', 'inherit'], env: helperEnv() });
    createInterface({ input: started.stdout as NodeJS.ReadableStream, crlfDelay: Infinity })
      .on('line', (line) => onReply(JSON.parse(line) as HelperReply));
    started.stdin?.on('error', () => undefined); // a dead helper's pipe: its exit event says so
    started.on('error', (err) => options.logger?.warn({ err: err.message }, 'the spawn helper could not start'));
    // 'close', not 'exit': it comes after the last line of its stdout was read.
    started.on('close', (code, signal) => {
      if (helper === started) helper = null;
      lost(code, signal);
    });
    return started;
  }

  function lost(code: number | null, signal: NodeJS.Signals | null): void {
    if (pending.size + running.size > 0) options.logger?.warn({ code, signal, running: running.size }, 'the spawn helper exited; its services are watched by polling');
    for (const child of pending.values()) child.emit('error', Object.assign(new Error('the spawn helper exited'), { code: 'EHELPER' }));
    pending.clear();
    for (const child of running.values()) {
      const handle = openStatHandle(child.pid as number);
      if (handle) orphans.set(child, handle);
      else child.emit('exit', null, null);
    }
    running.clear();
    if (orphans.size > 0) pollTimer ??= setInterval(pollOrphans, pollIntervalMs).unref();
  }

  function pollOrphans(): void {
    for (const [child, handle] of orphans) {
      if (handle.running()) continue;
      handle.close();
      orphans.delete(child);
      child.emit('exit', null, null);
    }
    if (orphans.size === 0 && pollTimer) {
      clearInterval(pollTimer);
      pollTimer = null;
    }
  }

  return {
    start() {
      helper ??= start();
    },
    launch(spec) {
      helper ??= start();
      const id = nextId++;
      const child = new RemoteChild();
      pending.set(id, child);
      helper.stdin?.write(`${JSON.stringify({ id, spec })}\n`);
      return child;
    },
    get pid() {
      return helper?.pid;
    },
    close() {
      if (pollTimer) clearInterval(pollTimer);
      pollTimer = null;
      for (const handle of orphans.values()) handle.close();
      orphans.clear();
      const closing = helper;
      helper = null;
      if (!closing) return;
      closing.removeAllListeners('close');
      pending.clear();
      running.clear();
      closing.stdin?.end();
      closing.unref();
    },
  };
}
