/**
 * hxe's entry. The status query `hxe get` is what scripts and people run
 * most: its plain forms skip the argument parser's start-up cost; every
 * other command line goes through yargs (src/cli/yargs-cli.ts).
 */
import { fastGetArgs } from './fast-path.js';

// A reader that went away (`hxe events -w | head`) ends the command, quietly
// and with success, as `head` users expect; other stream errors stay loud.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(0);
  });
}

const argv = process.argv.slice(2);
const fast = fastGetArgs(argv, process.env);
if (fast) {
  const { run } = await import('./run-handler.js');
  await run(async () => (await import('./commands/get.js')).getCommand as never)(fast);
} else {
  const { buildCli } = await import('./yargs-cli.js');
  await buildCli(argv).parseAsync();
}
