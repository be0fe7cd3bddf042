import { HxeError } from '../../core/errors.js';
import { createContext, type GlobalArgs } from '../context.js';
import { loadFromArgs } from './manifests.js';

/** `hxe delete NAME... | -f PATH... | --all`. */
export async function deleteCommand(args: GlobalArgs & { names?: string[]; filename?: string[]; all?: boolean; recursive?: boolean }): Promise<number> {
  const context = createContext(args);
  let names = args.names ?? [];
  if (args.filename?.length) {
    const loaded = await loadFromArgs({ filename: args.filename, recursive: args.recursive, home: args.home });
    names = [...names, ...loaded.services.map((s) => s.name)];
  }
  if (!args.all && names.length === 0) throw new HxeError('BAD_USAGE', 'name the services to delete, or use -f PATH or --all');
  const client = await context.client();
  const result = await client.delete(names, Boolean(args.all));
  context.out(result.names.length ? result.names.map((n) => `${n} deleted`).join('\n') : 'Nothing to delete.');
  return 0;
}
