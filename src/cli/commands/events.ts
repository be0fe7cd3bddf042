import type { HxeEvent } from '../../core/types.js';
import { createContext, type GlobalArgs } from '../context.js';

/** `hxe events [-w]`: the agent's recent events; with -w, follow them. */
export async function eventsCommand(args: GlobalArgs & { watch?: boolean; service?: string; output?: string }): Promise<number> {
  const context = createContext(args);
  const client = await context.client();
  const print = (event: HxeEvent) =>
    context.out(args.output === 'json' ? JSON.stringify(event) : `${event.time}  ${event.service || '(agent)'}  ${event.type}  ${event.message}`);
  if (!args.watch) {
    (await client.events(args.service)).forEach(print);
    return 0;
  }
  const stream = client.watchEvents(args.service, print);
  process.once('SIGINT', () => stream.close());
  await stream.done;
  return 0;
}
