/**
 * What read-only commands show while no agent runs: the store as the agent
 * last wrote it, read without writing (the agent is its only writer), and
 * every instance as `unknown` (nothing observes it). Starting an agent just
 * to answer `get` would bring every stopped service back.
 */
import { belongsTo, readEventFile } from '../agent/event-log.js';
import { instanceViews } from '../agent/views.js';
import { byName } from '../core/compare.js';
import { HxeError } from '../core/errors.js';
import type { HomePaths } from '../core/home.js';
import type { HxeEvent, InstanceStatus, InstanceView } from '../core/types.js';
import { readStoreDocument } from '../store/read-only.js';
import type { ShownView } from './render/instances.js';

/** Said on stderr by every read-only command that found no agent. */
export const NO_AGENT_NOTICE = 'agent not running; `hxe agent start`';

export function noticeNoAgent(): void {
  process.stderr.write(`${NO_AGENT_NOTICE}\n`);
}

/**
 * The stored services' instances (those named, or all), each in state
 * `unknown`, not ready; pid and restarts as last recorded (a pid is kept
 * only after `agent stop --keep-services`, whose services still run).
 * Throws NOT_FOUND for a name the store does not hold, as the agent does.
 */
export async function storedViews(paths: HomePaths, names: string[]): Promise<ShownView[]> {
  const document = await readStoreDocument(paths.store);
  const all = Object.values(document.services).sort((a, b) => byName(a.metadata.name, b.metadata.name));
  const unknown = names.filter((name) => !all.some((record) => belongsTo(name, record.metadata.name)));
  if (unknown.length > 0) throw new HxeError('NOT_FOUND', `no such service: ${unknown.join(', ')}`);
  const records = names.length > 0 ? all.filter((record) => names.some((name) => belongsTo(name, record.metadata.name))) : all;
  return instanceViews(records, document.statuses).map((view) => unobserved(view, document.statuses[view.name]));
}

/** `describe` from the store: the service's instances and the events the last agent kept in the home. */
export async function storedDescription(paths: HomePaths, name: string): Promise<{ instances: ShownView[]; events: HxeEvent[] }> {
  const instances = (await storedViews(paths, [name])).filter((view) => view.name === name || view.metadata.service === name);
  if (instances.length === 0) throw new HxeError('NOT_FOUND', `no such service: ${name}`);
  return { instances, events: readEventFile(paths.events, name, 20) };
}

function unobserved(view: InstanceView, recorded: InstanceStatus | undefined): ShownView {
  // A service scaled to 0 has nothing to observe: stopped is the truth.
  if (view.spec.instances === 0) return view;
  const message = recorded ? `agent not running; last recorded: ${recorded.state}` : 'agent not running';
  return { ...view, status: { ...view.status, state: 'unknown', ready: false, metrics: null, message } };
}

/** `events` without an agent: those the last agent kept in the home (`events.log`). */
export function storedEvents(paths: HomePaths, service?: string): HxeEvent[] {
  return readEventFile(paths.events, service);
}
