import type { GlobalArgs } from '../context.js';
import { loadFromArgs, type ManifestArgs } from './manifests.js';

/** `hxe validate`: parse and check only; no agent needed. */
export async function validateCommand(args: GlobalArgs & ManifestArgs & { output?: string }): Promise<number> {
  const { services, files } = await loadFromArgs(args);
  if (args.output === 'json') {
    process.stdout.write(`${JSON.stringify(services, null, 2)}\n`);
  } else {
    const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    process.stdout.write(`${count(services.length, 'service')} in ${count(files.length, 'file')}: valid\n`);
  }
  return 0;
}
