import { createContext, type GlobalArgs } from '../context.js';

/** `hxe logs NAME [-f] [--tail N] [--stdout|--stderr]`. */
export async function logsCommand(args: GlobalArgs & { name: string; follow?: boolean; tail?: number; stdout?: boolean; stderr?: boolean }): Promise<number> {
  const context = createContext(args);
  const client = await context.client();
  const stream = args.stderr && !args.stdout ? 'err' : args.stdout && !args.stderr ? 'out' : 'both';
  const logs = client.logs(args.name, { tail: args.tail ?? 100, stream, follow: Boolean(args.follow) }, (text) => process.stdout.write(text));
  process.once('SIGINT', () => logs.close());
  await logs.done;
  return 0;
}
