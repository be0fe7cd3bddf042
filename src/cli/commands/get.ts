import { createContext, type CliContext, type GlobalArgs } from '../context.js';
import { renderInstances, type OutputFormat } from '../render/instances.js';
import { createStyle } from '../render/style.js';

/** `hxe get [NAME...]`: from the agent; while none runs, from the store (never starting one). */
export async function getCommand(args: GlobalArgs & { names?: string[]; output?: OutputFormat }): Promise<number> {
  const context = createContext(args);
  const client = await context.runningAgent();
  const views = client ? await client.list(args.names ?? []) : await readOffline(context.paths, args.names ?? []);
  context.out(await renderInstances(views, args.output ?? 'table', createStyle(context.color)));
  return 0;
}

async function readOffline(paths: CliContext['paths'], names: string[]) {
  const { noticeNoAgent, storedViews } = await import('../offline.js');
  noticeNoAgent();
  return storedViews(paths, names);
}
