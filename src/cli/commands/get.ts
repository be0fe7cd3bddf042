import { createContext, type GlobalArgs } from '../context.js';
import { renderInstances, type OutputFormat } from '../render/instances.js';
import { createStyle } from '../render/style.js';

/** `hxe get [NAME...]`. */
export async function getCommand(args: GlobalArgs & { names?: string[]; output?: OutputFormat }): Promise<number> {
  const context = createContext(args);
  const client = await context.client();
  const views = await client.list(args.names ?? []);
  context.out(await renderInstances(views, args.output ?? 'table', createStyle(context.color)));
  return 0;
}
