import { HxeError } from '../../core/errors.js';
import { createContext, type GlobalArgs } from '../context.js';
import { loadFromArgs } from './manifests.js';
import { namesWithSelector } from './control.js';

/** `hxe delete NAME... | -f PATH... | -l SELECTOR | --all`. */
export async function deleteCommand(args: GlobalArgs & { names?: string[]; filename?: string[]; all?: boolean; recursive?: boolean; selector?: string[] }): Promise<number> {
  const context = createContext(args);
  let names = args.names ?? [];
  if (args.filename?.length) {
    const loaded = await loadFromArgs({ filename: args.filename, recursive: args.recursive, home: args.home });
    names = [...names, ...loaded.services.map((s) => s.name)];
  }
  if (!args.all && names.length === 0 && !args.selector?.length) throw new HxeError('BAD_USAGE', 'name the services to delete, or use -f PATH, -l SELECTOR or --all');
  const client = await context.client();
  if (args.selector?.length) names = await namesWithSelector(client, names, args.selector, 'delete');
  const result = await client.delete(names, { all: Boolean(args.all) });
  context.out(result.names.length ? result.names.map((n) => `${n} deleted`).join('\n') : 'Nothing to delete.');
  return 0;
}
