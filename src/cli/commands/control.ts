import { HxeError } from '../../core/errors.js';
import { createContext, type GlobalArgs } from '../context.js';
import { selectedServices } from '../selector.js';
import type { HxeClient } from '../../client/client.js';

/** `hxe stop|start|restart NAME... | -l SELECTOR`. */
export async function controlCommand(action: 'stop' | 'start' | 'restart', args: GlobalArgs & { names?: string[]; selector?: string[] }): Promise<number> {
  const context = createContext(args);
  const client = await context.client();
  const names = await namesWithSelector(client, args.names ?? [], args.selector, action);
  const result = await client[action](names);
  const verb = { stop: 'stopping', start: 'starting', restart: 'restarting' }[action];
  context.out(result.names.map((name) => `${name} ${verb}`).join('\n'));
  return 0;
}

/**
 * The names given plus the services whose labels match `-l` (kubectl's
 * selectors); a selector that matches nothing is an error, so that a typo
 * never reads as success.
 */
export async function namesWithSelector(client: HxeClient, names: string[], selector: string[] | undefined, verb: string): Promise<string[]> {
  if (!selector?.length) {
    if (names.length === 0) throw new HxeError('BAD_USAGE', `name the services to ${verb}, or select them with -l key=value`);
    return names;
  }
  const selected = selectedServices(await client.list(), selector);
  if (selected.length === 0) throw new HxeError('NOT_FOUND', `no service matches -l ${selector.join(',')}`);
  return [...new Set([...names, ...selected])];
}
