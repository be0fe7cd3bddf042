import { chmodSync, renameSync, rmSync, statSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { prettyStream } from './console-log.js';

/** The agent's own log is rotated past this size… */
export const AGENT_LOG_MAX_SIZE = 10 * 1024 * 1024;
/** …keeping this many rotated files (`agent.log.1` is the newest). */
export const AGENT_LOG_KEEP = 3;
const CHECK_INTERVAL_MS = 1_000;

export interface AgentLogOptions {
  level?: string;
  maxSize?: number;
  keep?: number;
  checkIntervalMs?: number;
  /** Also print every record to stdout (`hxe agent run`): readable on a terminal, NDJSON otherwise. */
  console?: boolean;
}

/** The agent's root logger and the rotation of its file. */
export interface AgentLog {
  logger: Logger;
  /** Rotates the file now if it is past its size; true if it did. */
  rotateIfNeeded(): boolean;
  /** Stops the size checks and flushes what is buffered. */
  close(): void;
}

/**
 * The agent's root logger: NDJSON to $HXE_HOME/agent.log, mode 0600 (even
 * one an older agent left readable). Secrets never reach it (specs are
 * logged redacted or not at all). Its size is checked every second; past
 * `maxSize` the file is renamed to `agent.log.1` (older ones shifted, the
 * oldest beyond `keep` deleted) and reopened: the agent owns this
 * descriptor, so unlike service logs nothing is copied and nothing is lost.
 */
export function createAgentLog(file: string, options: AgentLogOptions = {}): AgentLog {
  const { maxSize = AGENT_LOG_MAX_SIZE, keep = AGENT_LOG_KEEP, checkIntervalMs = CHECK_INTERVAL_MS } = options;
  try {
    chmodSync(file, 0o600);
  } catch {
    // Not there yet: it is created 0600.
  }
  const destination = pino.destination({ dest: file, mkdir: true, sync: false, mode: 0o600 });
  const streams: pino.StreamEntry[] = [{ level: 'trace', stream: destination }];
  if (options.console) streams.push({ level: 'trace', stream: process.stdout.isTTY ? prettyStream(process.stdout) : pino.destination({ dest: 1, sync: false }) });
  const logger = pino({ level: options.level ?? 'info', base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, pino.multistream(streams));
  const rotateIfNeeded = (): boolean => {
    // Missing for an instant while a reopen creates it anew.
    if ((statSync(file, { throwIfNoEntry: false })?.size ?? 0) <= maxSize) return false;
    shiftRotated(file, keep);
    renameSync(file, `${file}.1`);
    destination.reopen();
    return true;
  };
  const timer = setInterval(() => {
    try {
      if (rotateIfNeeded()) logger.info({ action: 'rotate', file }, 'agent log rotated');
    } catch (err) {
      logger.warn({ action: 'rotate', file, err: String(err) }, 'agent log rotation failed');
    }
  }, checkIntervalMs);
  timer.unref();
  return {
    logger,
    rotateIfNeeded,
    close() {
      clearInterval(timer);
      logger.flush();
    },
  };
}

/** `file.N` → `file.N+1` for N < keep, newest last; `file.keep` is deleted. */
function shiftRotated(file: string, keep: number): void {
  rmSync(`${file}.${Math.max(1, keep)}`, { force: true });
  for (let n = keep - 1; n >= 1; n--) {
    try {
      renameSync(`${file}.${n}`, `${file}.${n + 1}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
