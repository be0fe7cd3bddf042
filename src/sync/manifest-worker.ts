import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HxeError, ManifestError, type ManifestIssue } from '../core/errors.js';
import type { LoadResult } from '../manifest/load.js';
import type { AgentConfig } from '../config/load-config.js';

export interface WorkerRequest {
  id: number;
  /** Manifests (the default) or the agent's configuration files. */
  kind?: 'manifests' | 'config';
  paths: string[];
  recursive: boolean;
  cacheDir: string;
}

export type WorkerReply =
  | { id: number; ok: true; result: LoadResult }
  | { id: number; ok: true; config: AgentConfig }
  | { id: number; ok: false; issues: ManifestIssue[] }
  | { id: number; ok: false; message: string };

/** The parser process exits after this long without work, taking its memory with it. */
export const WORKER_IDLE_MS = 10_000;

/** Loads manifests outside the agent's process, in a child that exits when idle. */
export interface ManifestLoader {
  load(paths: string[], recursive: boolean): Promise<LoadResult>;
  loadConfig(paths: string[]): Promise<AgentConfig>;
  close(): Promise<void>;
}

export function createManifestLoader(options: { cacheDir: string; idleMs?: number }): ManifestLoader {
  const idleMs = options.idleMs ?? WORKER_IDLE_MS;
  let worker: ChildProcess | null = null;
  let nextId = 1;
  let idleTimer: NodeJS.Timeout | null = null;
  const waiting = new Map<number, { resolve(result: unknown): void; reject(err: Error): void }>();

  const start = (): ChildProcess => {
    const entry = fileURLToPath(new URL('./parse-worker.js', import.meta.url));
    const started = fork(entry, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [] });
    started.on('message', (reply: WorkerReply) => {
      const pending = waiting.get(reply.id);
      waiting.delete(reply.id);
      if (!pending) return;
      if (reply.ok) pending.resolve('config' in reply ? reply.config : reply.result);
      else if ('issues' in reply) pending.reject(new ManifestError(reply.issues));
      else pending.reject(new HxeError('INTERNAL', reply.message));
      if (waiting.size === 0) scheduleExit();
    });
    started.on('error', (err) => failAll(err));
    started.on('exit', () => {
      if (worker === started) worker = null;
      failAll(new HxeError('INTERNAL', 'the manifest parser process exited'));
    });
    return started;
  };
  const failAll = (err: Error) => {
    for (const pending of waiting.values()) pending.reject(err);
    waiting.clear();
  };
  const scheduleExit = () => {
    idleTimer = setTimeout(() => {
      idleTimer = null;
      worker?.kill();
      worker = null;
    }, idleMs);
    idleTimer.unref();
  };

  const ask = <T>(request: Omit<WorkerRequest, 'id' | 'cacheDir'>): Promise<T> => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    worker ??= start();
    const id = nextId++;
    const result = new Promise<T>((resolve, reject) => waiting.set(id, { resolve: resolve as (r: unknown) => void, reject }));
    worker.send({ ...request, id, cacheDir: options.cacheDir } satisfies WorkerRequest);
    return result;
  };

  return {
    load: (paths, recursive) => ask<LoadResult>({ kind: 'manifests', paths, recursive }),
    loadConfig: (paths) => ask<AgentConfig>({ kind: 'config', paths, recursive: false }),
    async close() {
      if (idleTimer) clearTimeout(idleTimer);
      worker?.kill();
      worker = null;
    },
  };
}
