import { availableParallelism } from 'node:os';
import { HxeError } from '../../core/errors.js';
import { planHasChanges } from '../../reconcile/apply-plan.js';
import { createContext, type GlobalArgs } from '../context.js';
import { renderPlan } from '../render/diff.js';
import { createStyle } from '../render/style.js';
import { DEFAULT_MIN_READY_MS, waitUntilReady } from './wait.js';

export interface RunArgs extends GlobalArgs {
  name?: string;
  /** Words after the name but before `--`: a mistake (they would mix with hxe's own flags). */
  words?: string[];
  /** Everything after `--` (yargs leaves it in `_`, after the command's own name). */
  _: (string | number)[];
  instances?: string;
  env?: string[];
  health?: string;
  restart?: string;
  'dry-run'?: boolean;
  wait?: boolean;
  output?: 'text' | 'json' | 'hcl' | 'toml';
}

/**
 * `hxe run [NAME] ... -- COMMAND ARGS...`: stores one service whose source
 * set is `hxe run NAME` (so running it again with other flags updates it,
 * and no manifest's --prune removes it). `-o hcl|toml` prints it as a
 * manifest instead, storing nothing.
 */
export async function runCommand(args: RunArgs): Promise<number> {
  if (args.words?.length) {
    const example = ['hxe run', args.name, '--', ...args.words].join(' ');
    throw new HxeError('BAD_USAGE', `give the command after --, so that its flags are not read as hxe's: ${example}`);
  }
  const { serviceFromCommandLine } = await import('../../manifest/command-line-service.js');
  const service = serviceFromCommandLine({
    name: args.name,
    command: args._.slice(1).map(String),
    instances: args.instances === undefined ? undefined : String(args.instances),
    env: args.env,
    health: args.health,
    restart: args.restart,
    cwd: process.cwd(),
    cpus: availableParallelism(),
  });
  if (args.output === 'hcl' || args.output === 'toml') {
    const { writeManifest } = await import('../../manifest/write-manifest.js');
    process.stdout.write(writeManifest([service], args.output));
    return 0;
  }
  const context = createContext(args);
  const client = await context.client();
  const dryRun = Boolean(args['dry-run']);
  const response = await client.apply([service], { source: `hxe run ${service.name}`, prune: false, dryRun });
  const style = createStyle(context.color);
  if (args.output === 'json') context.out(JSON.stringify(response, null, 2));
  else if (dryRun) context.out(`${renderPlan(response.plan, style)}\n(dry run: nothing was applied)`);
  else context.out(planHasChanges(response.plan) ? renderPlan(response.plan, style) : 'No changes.');
  if (!args.wait || dryRun) return 0;
  return waitUntilReady(client, [service.name], { timeoutMs: 120_000, minReadyMs: DEFAULT_MIN_READY_MS }, context, style);
}
