import type { Logger } from 'pino';
import { instancesOf } from '../core/instances.js';
import { createLogRotator, type LogRotator, type RotatedFile } from './log-rotator.js';
import type { Store } from '../store/store.js';
import { logFile } from './log-files.js';
import type { EventLog } from '../events/event-log.js';

/**
 * How often log sizes are checked: one fstat per file of a file kept open,
 * so that a fast writer overshoots `max_size` by at most about this much output.
 */
export const LOG_CHECK_INTERVAL_MS = 1_000;

/**
 * Rotates every instance's stdout/stderr file by size, as its service's
 * `logs { max_size, keep }` says (copy-truncate: the process keeps its file
 * descriptor and keeps writing).
 */
export function startLogRotation(logDir: string, deps: { store: Store; events: EventLog; logger: Logger }): LogRotator {
  // Built again only when the store changes: most checks find nothing to do, and should cost only their fstats.
  let files: { revision: number; list: RotatedFile[] } | null = null;
  const listFiles = (): RotatedFile[] => {
    if (files?.revision !== deps.store.revision) files = { revision: deps.store.revision, list: logFilesOf(logDir, deps.store) };
    return files.list;
  };
  const rotator = createLogRotator({
    intervalMs: LOG_CHECK_INTERVAL_MS,
    files: listFiles,
    onRotate: (file) => deps.logger.info({ action: 'rotate', file }, 'log rotated'),
    onError: (err, file) => deps.logger.warn({ action: 'rotate', file, err: String(err) }, 'log rotation failed'),
  });
  rotator.start();
  return rotator;
}

function logFilesOf(logDir: string, store: Store): RotatedFile[] {
  return store.list().flatMap((record) => instancesOf(record).flatMap((instance) =>
    (['out', 'err'] as const).map((stream) => ({ file: logFile(logDir, instance, stream), maxSize: record.spec.logs.max_size, keep: record.spec.logs.keep }))));
}
