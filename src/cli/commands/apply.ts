import { HxeError } from '../../core/errors.js';
import { planHasChanges } from '../../reconcile/apply-plan.js';
import { createContext, type GlobalArgs } from '../context.js';
import { renderPlan } from '../render/diff.js';
import { createStyle } from '../render/style.js';
import { loadFromArgs, type ManifestArgs } from './manifests.js';
import { waitUntilReady } from './wait.js';

export interface ApplyArgs extends GlobalArgs, ManifestArgs {
  prune?: boolean;
  'dry-run'?: boolean;
  wait?: boolean;
  timeout?: string;
  output?: string;
  'check-index'?: number;
}

/** `hxe apply`: store the desired state; exit 0, or 1 when --wait saw services not get ready. */
export async function applyCommand(args: ApplyArgs): Promise<number> {
  const context = createContext(args);
  // The agent starts (when none runs) while the manifests are parsed: the two overlap.
  const agent = context.client();
  agent.catch(() => undefined);
  const { services, source } = await loadFromArgs(args);
  const client = await agent;
  const dryRun = Boolean(args['dry-run']);
  const checkIndex = args['check-index'];
  const response = await client.apply({ source, services, prune: Boolean(args.prune), dryRun, ...(checkIndex !== undefined ? { checkIndex } : {}) });
  const style = createStyle(context.color);
  if (args.output === 'json') context.out(JSON.stringify(response, null, 2));
  else if (dryRun) context.out(`${renderPlan(response.plan, style)}\n(dry run: nothing was applied)`);
  else context.out(planHasChanges(response.plan) ? renderPlan(response.plan, style) : 'No changes.');
  if (!args.wait || dryRun) return 0;
  const names = services.map((s) => s.name);
  return waitUntilReady(client, names, parseTimeout(args.timeout), context, style);
}

function parseTimeout(text: string | undefined): number {
  if (!text) return 120_000;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (!match) throw new HxeError('BAD_USAGE', `--timeout: expected a duration like 30s or 2m, got "${text}"`);
  const unit = { ms: 1, s: 1000, m: 60_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm'];
  return Number(match[1]) * unit;
}
