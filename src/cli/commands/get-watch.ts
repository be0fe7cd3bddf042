import type { HxeClient } from '../../client/client.js';
import type { InstanceView } from '../../core/types.js';
import type { CliContext } from '../context.js';
import { renderInstances } from '../render/instances.js';
import { createStyle } from '../render/style.js';
import { selectViews } from '../selector.js';
import type { GetArgs } from './get.js';

/** What a watch line reports: a change of any of these prints the instance again (AGE alone does not). */
const fingerprint = (view: InstanceView) => {
  const s = view.status;
  return [s.state, s.ready, s.restarts, s.pid, s.exitCode, view.metadata.generation, s.observedGeneration].join('|');
};

/**
 * `get -w`: after the first listing, one line per instance whose state,
 * readiness, restarts, pid or generation changed, as `kubectl get -w`
 * prints them (`-o json`: one JSON object a line); a deleted instance reads
 * `NAME  deleted`. Follows the agent's event stream and lists again on each
 * event; ends on Ctrl-C or when the agent goes.
 */
export async function watchInstances(client: HxeClient, context: CliContext, args: GetArgs & { names: string[] }, first: InstanceView[]): Promise<number> {
  const style = createStyle(context.color);
  const seen = new Map(first.map((view) => [view.name, fingerprint(view)]));
  let pass = Promise.resolve();
  const refresh = async () => {
    const views = selectViews(await client.list(args.names), args.names, args.selector);
    const changed = views.filter((view) => seen.get(view.name) !== fingerprint(view));
    const gone = [...seen.keys()].filter((name) => !views.some((view) => view.name === name));
    for (const view of views) seen.set(view.name, fingerprint(view));
    for (const name of gone) seen.delete(name);
    if (changed.length > 0) context.out(await renderChanged(changed, args, style));
    for (const name of gone) context.out(args.output === 'json' ? JSON.stringify({ name, deleted: true }) : `${name}  deleted`);
  };
  const events = client.events();
  process.once('SIGINT', () => void events.return?.());
  // Changes between the first listing and the subscription are caught by one pass now.
  pass = pass.then(refresh);
  // Events come in bursts: each starts one pass after the previous one, so lines keep their order.
  for await (const _event of events) pass = pass.then(refresh).catch(() => undefined);
  await pass;
  return 0;
}

async function renderChanged(views: InstanceView[], args: GetArgs, style: ReturnType<typeof createStyle>): Promise<string> {
  if (args.output === 'json' || args.output === 'yaml') return views.map((view) => JSON.stringify(view)).join('\n');
  return (await renderInstances(views, args.output ?? 'table', style)).split('\n').slice(1).join('\n');
}
