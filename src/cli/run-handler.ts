import { closeClients } from './context.js';
import { exitCodeOf, reportError } from './exit.js';

/** Each handler declares the arguments it reads; yargs (or the fast path) has checked them. */
export type Handler = (args: never) => Promise<number>;

/** Runs a handler and records its exit code; errors become exit codes in one place. */
export function run(load: () => Promise<Handler>) {
  return async (args: Record<string, unknown>) => {
    try {
      const handler = await load();
      process.exitCode = await handler(args as never);
    } catch (err) {
      reportError(err);
      process.exitCode = exitCodeOf(err);
    } finally {
      await closeClients();
    }
  };
}
