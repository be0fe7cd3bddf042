import { HxeError } from '../../core/errors.js';
import { createContext, type GlobalArgs } from '../context.js';
import { formatAge, renderTable } from '../render/table.js';

export interface SecretArgs extends GlobalArgs {
  name?: string;
  rest?: string[];
  output?: string;
}

/**
 * `hxe secret set NAME` (the value from stdin), `hxe secret list`,
 * `hxe secret rm NAME`. A value is never an argument: it would be in the
 * shell's history and in every `ps`.
 */
export async function secretCommand(action: string, args: SecretArgs): Promise<number> {
  if ((args.rest ?? []).length > 0) {
    throw new HxeError('BAD_USAGE', 'too many arguments: the value is read from stdin, never from an argument (e.g. `printf %s "$PW" | hxe secret set NAME`)');
  }
  const context = createContext(args);
  if (action === 'list') {
    const secrets = await (await context.client()).secrets();
    if (args.output === 'json') context.out(JSON.stringify(secrets, null, 2));
    else context.out(secrets.length === 0 ? 'No secrets.' : renderTable(['NAME', 'SET'], secrets.map((s) => [s.name, `${formatAge(s.setAt)} ago`])));
    return 0;
  }
  const name = args.name;
  if (!name) throw new HxeError('BAD_USAGE', `name the secret: hxe secret ${action} NAME`);
  if (action === 'rm') {
    await (await context.client()).removeSecret(name);
    context.out(`secret ${name} removed`);
    return 0;
  }
  if (process.stdin.isTTY) process.stderr.write(`value of ${name} (end with Ctrl-D):\n`);
  const value = await readValue();
  const result = await (await context.client()).setSecret(name, value);
  context.out(result.changed ? `secret ${name} set; \`hxe diff\` shows the services it restarts at the next apply` : `secret ${name} unchanged`);
  return 0;
}

/** All of stdin, less one final newline (`echo VALUE |` adds one). */
async function readValue(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const value = text.replace(/\r?\n$/, '');
  if (value === '') throw new HxeError('BAD_USAGE', 'the value is empty: pipe it on stdin (printf %s "$PW" | hxe secret set NAME)');
  return value;
}
