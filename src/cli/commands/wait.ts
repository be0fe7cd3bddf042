import type { HxeClient } from '../../client/client.js';
import { declaredRunning } from '../../core/instances.js';
import type { InstanceView } from '../../core/types.js';
import { formatDuration } from '../../manifest/duration.js';
import type { CliContext } from '../context.js';
import type { Style } from '../render/style.js';
import { colourState } from '../render/instances.js';

const POLL_MS = 200;
/** A progress line at least this often, even when nothing changed (elapsed time moves on). */
const PROGRESS_EVERY_MS = 2_000;
/** States no instance leaves by itself: waiting longer is pointless. */
const TERMINAL = new Set(['failed', 'completed', 'stopped', 'crashloop']);
const STDERR_LINES = 10;

/** How `apply --wait` decides: ready and up, without a restart, for `minReadyMs` (kubectl's minReadySeconds). */
/** How long an instance must stay ready, with the same process, to count (`--min-ready`). */
export const DEFAULT_MIN_READY_MS = 2_000;

export interface WaitOptions {
  timeoutMs: number;
  minReadyMs: number;
}

/** Since when each instance has been ready with the same process (the CLI's own clock: no skew with --server). */
type ReadySince = Map<string, { pid: number | null; restarts: number; since: number }>;

/**
 * Shows progress until every instance of the named services is ready and has
 * stayed up without a restart for `minReadyMs` (or is meant stopped and is).
 * 0 when all are; 1 on timeout or when an instance ends up failed, crash-looping
 * or stopped, naming each instance that is not, its state and its last stderr lines.
 */
export async function waitUntilReady(client: HxeClient, names: string[], options: WaitOptions, context: CliContext, style: Style): Promise<number> {
  const started = Date.now();
  const readySince: ReadySince = new Map();
  let printed = { key: '', at: 0 };
  let views: InstanceView[];
  let waiting: InstanceView[];
  for (;;) {
    views = await client.list(names);
    const now = Date.now();
    trackReadiness(views, readySince, now);
    waiting = views.filter((view) => !isAvailable(view, readySince, now, options.minReadyMs));
    const progress = progressLine(views, waiting, readySince, now - started, options.minReadyMs, style);
    if (progress.key !== printed.key || now - printed.at >= PROGRESS_EVERY_MS) {
      context.out(progress.line);
      printed = { key: progress.key, at: now };
    }
    if (waiting.length === 0) return 0;
    if (waiting.every((view) => TERMINAL.has(view.status.state))) break;
    if (now - started >= options.timeoutMs) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(0, started + options.timeoutMs - now))));
  }
  await reportNotReady(client, waiting, Date.now() - started, views.length, context, style);
  return 1;
}

/** A ready instance keeps its `since` while its process and restart count stay the same; anything else starts over. */
function trackReadiness(views: InstanceView[], readySince: ReadySince, now: number): void {
  for (const view of views) {
    const { ready, pid, restarts } = view.status;
    const seen = readySince.get(view.name);
    if (!ready) readySince.delete(view.name);
    else if (!seen || seen.pid !== pid || seen.restarts !== restarts) readySince.set(view.name, { pid, restarts, since: now });
  }
}

/**
 * Where `--wait` is done with an instance: available (kubectl's word: ready,
 * with the same process and no restart, for `minReadyMs`), or declared
 * stopped (or scaled to 0) and stopped.
 */
function isAvailable(view: InstanceView, readySince: ReadySince, now: number, minReadyMs: number): boolean {
  const since = readySince.get(view.name)?.since;
  if (since !== undefined) return now - since >= minReadyMs;
  const wantsStopped = !declaredRunning(view.spec) || view.spec.instances === 0;
  return wantsStopped && view.status.state === 'stopped';
}

/** `[3s] 1/2 ready (waiting: web-1 backoff: exited with code 1, web-0 settling 1.2s/2s)`; `key` leaves out the clocks. */
function progressLine(views: InstanceView[], waiting: InstanceView[], readySince: ReadySince, elapsedMs: number, minReadyMs: number, style: Style) {
  const ready = views.length - waiting.length;
  const shown = waiting.slice(0, 5);
  const what = (view: InstanceView, clock: boolean) => {
    const since = readySince.get(view.name)?.since;
    if (since !== undefined) return `${view.name} settling${clock ? ` ${seconds(Date.now() - since)}/${seconds(minReadyMs)}` : ''}`;
    const reason = view.status.message ? `: ${view.status.message}` : '';
    return `${view.name} ${colourState(view.status.state, style)}${reason}`;
  };
  const detail = (clock: boolean) => {
    const items = shown.map((view) => what(view, clock)).join(', ');
    return items ? ` (waiting: ${items}${waiting.length > shown.length ? `, and ${waiting.length - shown.length} more` : ''})` : '';
  };
  const head = `${ready}/${views.length} ready`;
  return { key: `${head}${detail(false)}`, line: `[${seconds(elapsedMs)}] ${head}${detail(true)}` };
}

/** Each instance that is not ready: its state, why, its restarts, and the last lines of its stderr (through the API, so --server works). */
async function reportNotReady(client: HxeClient, waiting: InstanceView[], elapsedMs: number, total: number, context: CliContext, style: Style): Promise<void> {
  context.out(style.red(`${waiting.length} of ${total} instances not ready and settled after ${seconds(elapsedMs)}:`));
  for (const view of waiting) {
    const { state, message, restarts, ready } = view.status;
    const why = ready ? ': ready, but not yet up for the settle time' : message ? `: ${message}` : '';
    context.out(`${view.name}: not ready (${colourState(state, style)}${why}), ${restarts} restart${restarts === 1 ? '' : 's'}`);
    const stderr = await lastStderr(client, view.name);
    if (stderr.length > 0) context.out(['  last stderr lines:', ...stderr.map((line) => `  | ${line}`)].join('\n'));
  }
}

async function lastStderr(client: HxeClient, instance: string): Promise<string[]> {
  let text = '';
  try {
    for await (const chunk of client.logs(instance, { tail: STDERR_LINES, stream: 'err' })) text += chunk;
  } catch {
    // What arrived before the failure is still worth showing.
  }
  return text.split('\n').filter((line) => line.trim() !== '');
}

function seconds(ms: number): string {
  return ms < 1_000 ? `${(ms / 1000).toFixed(1)}s` : formatDuration(Math.round(ms / 100) * 100);
}
