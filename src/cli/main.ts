/**
 * hxe's entry. The commands scripts and people run most (`get`, `apply`,
 * `diff`, `delete`, `run`): their plain forms skip the argument parser's
 * start-up cost (fast-path.ts); every other command line goes through
 * yargs (src/cli/yargs-cli.ts).
 */
import { fastCommand, type FastCommand } from './fast-path.js';
import type { Handler } from './run-handler.js';

// A reader that went away (`hxe events -w | head`) ends the command, quietly
// and with success, as `head` users expect; other stream errors stay loud.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(0);
  });
}

const argv = process.argv.slice(2);
const fast = fastCommand(argv, process.env);
if (fast) {
  const { run } = await import('./run-handler.js');
  await run(() => loadHandler(fast.command))(fast.args);
} else {
  const { buildCli } = await import('./yargs-cli.js');
  await buildCli(argv).parseAsync();
}

/** The handler of a command the fast path took (the same ones yargs-cli.ts runs). */
async function loadHandler(command: FastCommand['command']): Promise<Handler> {
  switch (command) {
    case 'get': return (await import('./commands/get.js')).getCommand as Handler;
    case 'apply': return (await import('./commands/apply.js')).applyCommand as Handler;
    case 'diff': return (await import('./commands/diff.js')).diffCommand as Handler;
    case 'delete': return (await import('./commands/delete.js')).deleteCommand as Handler;
    case 'run': return (await import('./commands/run.js')).runCommand as Handler;
  }
}
