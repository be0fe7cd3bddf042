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

/** A command line the fast path takes: the command's name and the arguments yargs would have given its handler. */
export interface FastCommand {
  command: 'get' | 'apply' | 'diff' | 'delete' | 'run';
  args: Record<string, unknown>;
}

/**
 * The plain forms of the commands that scripts and the bench run most, so
 * that they skip yargs' start-up and the help text it renders before every
 * handler (~40 ms of a ~150 ms command): `get` as above; `apply` and `diff`
 * with `-f PATH...`, `-R`, `--prune`, `-o text|json`; `delete --all` or
 * `delete NAME...`; `run NAME -- COMMAND ARGS...`. Anything else (help, any
 * other flag, a mistake) is null and goes through yargs.
 */
export function fastCommand(argv: string[], env: NodeJS.ProcessEnv): FastCommand | null {
  const get = fastGetArgs(argv, env);
  if (get) return { command: 'get', args: get };
  const color = !env.NO_COLOR;
  switch (argv[0]) {
    case 'apply':
    case 'diff': {
      const args = manifestArgs(argv);
      return args && { command: argv[0], args: { ...args, color } };
    }
    case 'delete': {
      const all = argv.length === 2 && argv[1] === '--all';
      const names = argv.slice(1);
      if (!all && (names.length === 0 || !names.every((name) => DNS_1123_LABEL.test(name)))) return null;
      return { command: 'delete', args: { names: all ? [] : names, all, recursive: false, color } };
    }
    case 'run': {
      const [, name, dashes, ...words] = argv;
      if (name === undefined || !DNS_1123_LABEL.test(name) || dashes !== '--' || words.length === 0) return null;
      return { command: 'run', args: { name, words: [], _: ['run', ...words], color } };
    }
    default:
      return null;
  }
}

const isValue = (token: string | undefined): token is string => token !== undefined && token !== '' && !token.startsWith('-');

/** `-f PATH...` (repeatable), `-R`, `--prune`, `-o text|json`, exactly; null for anything else. */
function manifestArgs(argv: string[]): Record<string, unknown> | null {
  const args: Record<string, unknown> = { recursive: false };
  const filename: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const token = argv[i];
    if (token === '-f' || token === '--filename') {
      if (!isValue(argv[i + 1])) return null;
      while (isValue(argv[i + 1])) filename.push(argv[++i]);
    } else if (token === '-R' || token === '--recursive') args.recursive = true;
    else if (token === '--prune') args.prune = true;
    else if ((token === '-o' || token === '--output') && ['text', 'json'].includes(argv[i + 1] ?? '')) args.output = argv[++i];
    else return null;
  }
  return filename.length > 0 ? { ...args, filename } : null;
}
