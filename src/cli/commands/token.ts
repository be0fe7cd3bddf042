import { HxeError } from '../../core/errors.js';
import { createContext, type GlobalArgs } from '../context.js';

/**
 * `hxe token create [--ttl D] [--role admin|read] [--subject S]`: asks the
 * agent, over its Unix socket (so only its owner can), for a JWT of the TCP
 * API, and prints it (with -o json: the token, its id, subject, role and
 * expiry).
 */
export async function tokenCommand(action: string, args: GlobalArgs & { ttl?: string; role?: string; subject?: string; output?: string }): Promise<number> {
  if (action !== 'create') throw new HxeError('BAD_USAGE', `unknown token action "${action}": expected create`);
  if (args.server ?? process.env.HXE_SERVER) {
    throw new HxeError('BAD_USAGE', 'tokens are minted over the local socket only: run hxe token create on the agent\'s host, without --server/HXE_SERVER');
  }
  const context = createContext({ ...args, server: undefined });
  const client = await context.client();
  const minted = await client.createToken({ ttl: args.ttl, role: args.role, subject: args.subject });
  context.out(args.output === 'json' ? JSON.stringify(minted, null, 2) : minted.token);
  return 0;
}
