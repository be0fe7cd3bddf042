import { createContext, type GlobalArgs } from '../context.js';

/** `hxe stop|start|restart NAME...`. */
export async function controlCommand(action: 'stop' | 'start' | 'restart', args: GlobalArgs & { names: string[] }): Promise<number> {
  const context = createContext(args);
  const client = await context.client();
  const result = await client.act(action, args.names);
  const verb = { stop: 'stopping', start: 'starting', restart: 'restarting' }[action];
  context.out(result.names.map((name) => `${name} ${verb}`).join('\n'));
  return 0;
}
