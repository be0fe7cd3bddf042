import { HxeError } from '../../core/errors.js';
import { createContext, type GlobalArgs } from '../context.js';
import { selectedServices } from '../selector.js';

export interface LogsArgs extends GlobalArgs {
  names?: string[];
  selector?: string[];
  follow?: boolean;
  tail?: number;
  stdout?: boolean;
  stderr?: boolean;
  timestamps?: boolean;
}

/**
 * `hxe logs [NAME...] [-l SELECTOR] [-f] [--tail N] [--timestamps]`: the
 * named services (every one without a name, as `pm2 logs`); while no agent
 * runs, the log files read directly.
 */
export async function logsCommand(args: LogsArgs): Promise<number> {
  const context = createContext(args);
  const client = await context.runningAgent();
  const stream = args.stderr && !args.stdout ? 'err' : args.stdout && !args.stderr ? 'out' : 'both';
  const options = { tail: args.tail ?? 100, stream, follow: Boolean(args.follow), timestamps: Boolean(args.timestamps) } as const;
  let names = args.names ?? [];
  if (args.selector?.length) {
    const { storedViews } = await import('../offline.js');
    const views = client ? await client.list(names) : await storedViews(context.paths, names);
    names = selectedServices(views, args.selector);
    if (names.length === 0) throw new HxeError('NOT_FOUND', `no service matches -l ${args.selector.join(',')}`);
  }
  const write = (text: string) => { if (text) process.stdout.write(text); };
  if (client) {
    const chunks = client.logs(names, options);
    process.once('SIGINT', () => void chunks.return?.());
    for await (const text of chunks) write(text);
    return 0;
  }
  const logs = await (await import('../offline-logs.js')).storedLogs(context.paths, names, options, write);
  process.once('SIGINT', () => logs.close());
  await logs.done;
  return 0;
}
