import { DNS_1123_LABEL } from '../manifest/names.js';

const FORMATS = new Set(['table', 'wide', 'json', 'yaml']);

/**
 * The arguments of `hxe get [NAME...] [-o FORMAT]` when the command line is
 * exactly that (nothing yargs would treat differently: no other flag, no
 * help); null for anything else.
 */
export function fastGetArgs(argv: string[], env: NodeJS.ProcessEnv): Record<string, unknown> | null {
  if (!['get', 'ls', 'list'].includes(argv[0] ?? '')) return null;
  const names: string[] = [];
  let output = 'table';
  for (let i = 1; i < argv.length; i++) {
    const token = argv[i];
    if ((token === '-o' || token === '--output') && FORMATS.has(argv[i + 1] ?? '')) output = argv[++i];
    else if (DNS_1123_LABEL.test(token)) names.push(token);
    else return null;
  }
  return { names, output, color: !env.NO_COLOR };
}
