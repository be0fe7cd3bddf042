/**
 * Entry of the background agent (`hxe agent start` and auto-start spawn this
 * file directly, without the CLI's argument parser, to keep the resident
 * process small).
 */
import { errorMessage, HxeError } from '../core/errors.js';
import { resolveHome } from '../core/home.js';
import { runAgent } from './run.js';

function argValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function argValues(name: string): string[] {
  return process.argv.flatMap((arg, index) => (arg === name && process.argv[index + 1] ? [process.argv[index + 1]] : []));
}

runAgent({ home: resolveHome(argValue('--home')), logLevel: argValue('--log-level'), configPaths: argValues('--config') })
  .then(() => process.exit(0))
  .catch((err: unknown) => {
    process.stderr.write(`hxe agent: ${errorMessage(err)}\n`);
    // 3: another agent runs (the CLI then uses it); 2: invalid configuration.
    const code = err instanceof HxeError && err.code === 'CONFLICT' ? 3 : err instanceof HxeError && err.code === 'INVALID_MANIFEST' ? 2 : 1;
    process.exit(code);
  });
