import { createContext, type GlobalArgs } from '../context.js';

/** `hxe logs NAME [-f] [--tail N] [--stdout|--stderr]`; while no agent runs, the log files read directly. */
export async function logsCommand(args: GlobalArgs & { name: string; follow?: boolean; tail?: number; stdout?: boolean; stderr?: boolean }): Promise<number> {
  const context = createContext(args);
  const client = await context.runningAgent();
  const stream = args.stderr && !args.stdout ? 'err' : args.stdout && !args.stderr ? 'out' : 'both';
  const options = { tail: args.tail ?? 100, stream, follow: Boolean(args.follow) } as const;
  const write = (text: string) => process.stdout.write(text);
  const logs = client ? client.logs(args.name, options, write)
    : await (await import('../offline-logs.js')).storedLogs(context.paths, args.name, options, write);
  process.once('SIGINT', () => logs.close());
  await logs.done;
  return 0;
}
