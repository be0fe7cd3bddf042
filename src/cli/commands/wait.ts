import type { ApiClient } from '../../api/client.js';
import type { InstanceView } from '../../core/types.js';
import type { CliContext } from '../context.js';
import type { Style } from '../render/style.js';
import { colourState } from '../render/instances.js';

const POLL_MS = 200;
const TERMINAL = new Set(['failed', 'completed', 'stopped', 'crashloop']);

/** Shows progress until every named service is ready (or settled stopped/disabled); 1 names those that did not get ready in time. */
export async function waitUntilReady(client: ApiClient, names: string[], timeoutMs: number, context: CliContext, style: Style): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let views: InstanceView[] = [];
  while (Date.now() < deadline) {
    views = await client.list(names);
    const waiting = views.filter((view) => !isSettled(view));
    const line = progressLine(views, waiting, style);
    if (line !== last) context.out(line);
    last = line;
    if (waiting.length === 0) break;
    if (waiting.every((view) => TERMINAL.has(view.status.state))) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const notReady = views.filter((view) => !isSettled(view));
  if (notReady.length === 0) return 0;
  for (const view of notReady) {
    context.out(`${view.name}: not ready (${view.status.state}${view.status.message ? `: ${view.status.message}` : ''})`);
  }
  return 1;
}

/** Ready, or meant to be stopped and stopped. */
function isSettled(view: InstanceView): boolean {
  if (view.status.ready) return true;
  const wantsStopped = view.spec.disabled || view.spec.instances === 0;
  return wantsStopped && view.status.state === 'stopped';
}

function progressLine(views: InstanceView[], waiting: InstanceView[], style: Style): string {
  const ready = views.length - waiting.length;
  const detail = waiting.slice(0, 5).map((view) => `${view.name} ${colourState(view.status.state, style)}`).join(', ');
  return `${ready}/${views.length} ready${detail ? ` (waiting: ${detail}${waiting.length > 5 ? ', …' : ''})` : ''}`;
}
