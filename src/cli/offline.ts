/**
 * What read-only commands show while no agent runs: the store as the agent
 * last wrote it, read without writing (the agent is its only writer), and
 * every instance as `stopped`, or `running` (not ready) while the process
 * it last recorded still runs (`agent stop --keep-services`). Starting an agent just
 * to answer `get` would bring every stopped service back.
 */
import { belongsTo, readEventFile } from '../events/event-log.js';
import { instanceViews } from '../api/views.js';
import { byName } from '../core/compare.js';
import { HxeError } from '../core/errors.js';
import type { HomePaths } from '../core/home.js';
import type { HxeEvent, InstanceStatus, InstanceView } from '../core/types.js';
import { checkIdentity } from '../runtime/proc.js';
import { readStoreDocument } from '../store/read-only.js';

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
export async function storedViews(paths: HomePaths, names: string[]): Promise<InstanceView[]> {
  const document = await readStoreDocument(paths.store);
  const all = Object.values(document.services).sort((a, b) => byName(a.metadata.name, b.metadata.name));
  const unknown = names.filter((name) => !all.some((record) => belongsTo(name, record.metadata.name)));
  if (unknown.length > 0) throw new HxeError('NOT_FOUND', `no such service: ${unknown.join(', ')}`);
  const records = names.length > 0 ? all.filter((record) => names.some((name) => belongsTo(name, record.metadata.name))) : all;
  return instanceViews(records, document.statuses).map((view) => unobserved(view, document.statuses[view.name]));
}

/** `describe` from the store: the service's instances and the events the last agent kept in the home. */
export async function storedDescription(paths: HomePaths, name: string): Promise<{ instances: InstanceView[]; events: HxeEvent[] }> {
  const instances = (await storedViews(paths, [name])).filter((view) => view.name === name || view.metadata.service === name);
  if (instances.length === 0) throw new HxeError('NOT_FOUND', `no such service: ${name}`);
  return { instances, events: readEventFile(paths.events, name, 20) };
}

function unobserved(view: InstanceView, recorded: InstanceStatus | undefined): InstanceView {
  // A service scaled to 0 has nothing to observe: stopped is the truth.
  if (view.spec.instances === 0) return view;
  // A process left running (`agent stop --keep-services`) still runs: say so, but it is not supervised nor probed.
  const pid = recorded?.pid ?? null;
  const running = pid !== null && checkIdentity(pid, {
    startTime: recorded?.pidStartTime ?? null, bootId: recorded?.pidBootId ?? null, command: recorded?.pidCommand ?? null,
  }).same;
  const message = running ? `agent not running: not supervised; last recorded: ${recorded?.state ?? 'unknown'}` : 'agent not running';
  return {
    ...view,
    status: { ...view.status, state: running ? 'running' : 'stopped', ready: false, pid: running ? pid : null, metrics: null, message },
  };
}

/** `events` without an agent: those the last agent kept in the home (`events.log`). */
export function storedEvents(paths: HomePaths, service?: string): HxeEvent[] {
  return readEventFile(paths.events, service);
}
