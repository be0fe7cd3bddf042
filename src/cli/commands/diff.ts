import { planHasChanges } from '../../reconcile/apply-plan.js';
import { createContext, type GlobalArgs } from '../context.js';
import { renderPlan } from '../render/diff.js';
import { createStyle } from '../render/style.js';
import { loadFromArgs, type ManifestArgs } from './manifests.js';

export interface DiffArgs extends GlobalArgs, ManifestArgs {
  prune?: boolean;
  output?: string;
}

/** `hxe diff`: exit 0 no differences, 1 differences (2 for invalid manifests comes from the error). */
export async function diffCommand(args: DiffArgs): Promise<number> {
  const context = createContext(args);
  const agent = context.client();
  agent.catch(() => undefined);
  const { services, source } = await loadFromArgs(args);
  const client = await agent;
  const { plan, revision } = await client.diff(services, { source, prune: Boolean(args.prune) });
  // The index lets `apply --check-index` refuse if the store changed since this plan.
  if (args.output === 'json') context.out(JSON.stringify({ index: revision, services: plan.services }, null, 2));
  else context.out(`${renderPlan(plan, createStyle(context.color))}\nStore index: ${revision} (apply --check-index ${revision} applies only if it is unchanged)`);
  return planHasChanges(plan) ? 1 : 0;
}
