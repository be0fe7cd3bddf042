import { createContext, type CliContext, type GlobalArgs } from '../context.js';
import { renderInstances, type OutputFormat } from '../render/instances.js';
import { createStyle } from '../render/style.js';
import { selectViews } from '../selector.js';

export interface GetArgs extends GlobalArgs {
  names?: string[];
  output?: OutputFormat;
  selector?: string[];
  watch?: boolean;
}

/**
 * `hxe get [NAME...] [-l SELECTOR] [-w]`: from the agent; while none runs,
 * from the store (never starting one). A service name lists its instances,
 * an instance name that instance alone.
 */
export async function getCommand(args: GetArgs): Promise<number> {
  const context = createContext(args);
  const names = args.names ?? [];
  const client = await context.runningAgent();
  const views = selectViews(client ? await client.list(names) : await readOffline(context.paths, names), names, args.selector);
  context.out(await renderInstances(views, args.output ?? 'table', createStyle(context.color)));
  if (!args.watch) return 0;
  if (!client) {
    const { HxeError } = await import('../../core/errors.js');
    throw new HxeError('AGENT_UNAVAILABLE', '--watch needs a running agent');
  }
  const { watchInstances } = await import('./get-watch.js');
  return watchInstances(client, context, { ...args, names }, views);
}

async function readOffline(paths: CliContext['paths'], names: string[]) {
  const { noticeNoAgent, storedViews } = await import('../offline.js');
  noticeNoAgent();
  return storedViews(paths, names);
}
