import { HxeError } from '../../core/errors.js';
import { createContext, type GlobalArgs } from '../context.js';

/**
 * `hxe env NAME [-o json]`: the environment a running instance really got
 * (`pm2 env`), read by the agent from /proc. Values only over the local
 * socket; with --server they read `(redacted)`.
 */
export async function envCommand(args: GlobalArgs & { name: string; output?: string }): Promise<number> {
  const context = createContext(args);
  const client = await context.runningAgent();
  if (!client) throw new HxeError('AGENT_UNAVAILABLE', 'the agent is not running: a process environment is read from a running instance');
  const instances = await client.environment(args.name);
  if (args.output === 'json') {
    context.out(JSON.stringify(instances, null, 2));
    return 0;
  }
  const several = instances.length > 1;
  const blocks = instances.map((entry) => {
    const header = several ? [`# ${entry.instance} (pid ${entry.pid ?? '-'})`] : [];
    if (!entry.environment) return [...header, several ? '# no process' : `${entry.instance} has no process`].join('\n');
    const lines = Object.keys(entry.environment).sort().map((key) => `${key}=${entry.environment![key]}`);
    return [...header, ...lines].join('\n');
  });
  context.out(blocks.join('\n\n'));
  return instances.every((entry) => entry.environment) ? 0 : 1;
}
