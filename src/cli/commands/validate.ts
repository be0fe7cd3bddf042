import { ManifestError, type ManifestIssue } from '../../core/errors.js';
import type { DesiredService } from '../../core/types.js';
import type { GlobalArgs } from '../context.js';
import { loadFromArgs, type ManifestArgs } from './manifests.js';

/**
 * `hxe validate`: parse and check only; no agent needed. Service blocks and
 * the agent's `agent`, `server` and `sync` blocks are checked together: one
 * report of every problem, exit 2.
 */
export async function validateCommand(args: GlobalArgs & ManifestArgs & { output?: string }): Promise<number> {
  const issues: ManifestIssue[] = [];
  const manifests = await loadFromArgs(args).catch((err: unknown) => collect(err, issues));
  const { loadAgentConfig } = await import('../../config/load-config.js');
  const config = await loadAgentConfig(args.filename, process.env, Boolean(args.recursive)).catch((err: unknown) => {
    // Unknown top-level blocks and unreadable files are the manifest loader's to report.
    collect(err, issues, (issue) => issue.line === null || /^unknown block/.test(issue.message));
    return null;
  });
  if (issues.length > 0) throw new ManifestError(issues);
  const { services, files } = manifests as { services: DesiredService[]; files: string[] };
  if (args.output === 'json') {
    process.stdout.write(`${JSON.stringify(services, null, 2)}\n`);
    return 0;
  }
  const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const blocks = Object.entries(config?.blocks ?? {}).filter(([, n]) => n > 0).map(([name]) => name);
  const extra = blocks.length > 0 ? ` and ${blocks.join(', ')} block${blocks.length === 1 ? '' : 's'}` : '';
  process.stdout.write(`${count(services.length, 'service')}${extra} in ${count(files.length, 'file')}: valid\n`);
  return 0;
}

function collect(err: unknown, into: ManifestIssue[], skip: (issue: ManifestIssue) => boolean = () => false): null {
  if (!(err instanceof ManifestError)) throw err;
  into.push(...err.issues.filter((issue) => !skip(issue)));
  return null;
}
