import { HxeError } from '../../core/errors.js';
import { planHasChanges } from '../../reconcile/apply-plan.js';
import { createContext, type GlobalArgs } from '../context.js';
import { renderPlan } from '../render/diff.js';
import { createStyle } from '../render/style.js';
import { loadFromArgs, type ManifestArgs } from './manifests.js';
import { DEFAULT_MIN_READY_MS, waitUntilReady } from './wait.js';

export interface ApplyArgs extends GlobalArgs, ManifestArgs {
  prune?: boolean;
  'dry-run'?: boolean;
  wait?: boolean;
  timeout?: string;
  'min-ready'?: string;
  output?: string;
  'check-index'?: number;
}

/** `hxe apply`: store the desired state; exit 0, or 1 when --wait saw services not get ready. */
export async function applyCommand(args: ApplyArgs): Promise<number> {
  const context = createContext(args);
  // Flags are checked before anything is applied: a bad one changes nothing.
  const waitOptions = { timeoutMs: parseFlagDuration('timeout', args.timeout, 120_000), minReadyMs: parseFlagDuration('min-ready', args['min-ready'], DEFAULT_MIN_READY_MS) };
  // The agent starts (when none runs) while the manifests are parsed: the two overlap.
  const agent = context.client();
  agent.catch(() => undefined);
  const { services, source } = await loadFromArgs(args);
  const client = await agent;
  const dryRun = Boolean(args['dry-run']);
  const checkIndex = parseCheckIndex(args['check-index']);
  const response = await client.apply(services, { source, prune: Boolean(args.prune), dryRun, checkIndex });
  const style = createStyle(context.color);
  if (args.output === 'json') context.out(JSON.stringify(response, null, 2));
  else if (dryRun) context.out(`${renderPlan(response.plan, style)}\n(dry run: nothing was applied)`);
  else context.out(planHasChanges(response.plan) ? renderPlan(response.plan, style) : 'No changes.');
  if (!args.wait || dryRun) return 0;
  const names = services.map((s) => s.name);
  return waitUntilReady(client, names, waitOptions, context, style);
}

function parseFlagDuration(flag: string, text: string | undefined, fallback: number): number {
  if (!text) return fallback;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (!match) throw new HxeError('BAD_USAGE', `--${flag}: expected a duration like 30s or 2m, got "${text}"`);
  const unit = { ms: 1, s: 1000, m: 60_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm'];
  return Number(match[1]) * unit;
}

function parseCheckIndex(value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0) throw new HxeError('BAD_USAGE', `--check-index: expected the index hxe diff printed (an integer ≥ 0), got ${String(value)}`);
  return value;
}
