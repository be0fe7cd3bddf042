import path from 'node:path';
import { HxeError } from '../../core/errors.js';
import type { SyncStatus } from '../../api/sync-status.js';
import { createContext, type CliContext, type GlobalArgs } from '../context.js';
import { renderPlan } from '../render/diff.js';
import { createStyle } from '../render/style.js';
import { formatAge, renderTable } from '../render/table.js';
import { loadFromArgs } from './manifests.js';

export interface SyncArgs extends GlobalArgs {
  path?: string;
  watch?: boolean;
  prune?: boolean;
  recursive?: boolean;
  list?: boolean;
  stop?: boolean;
  output?: string;
}

/**
 * `hxe sync PATH [--watch] [--prune] [-R]`, `hxe sync --list`, `hxe sync --stop PATH`.
 * Without --watch: one pass (for CI and cron), the same as an apply whose source set is PATH.
 */
export async function syncCommand(args: SyncArgs): Promise<number> {
  const context = createContext(args);
  if (args.list) return listSyncs(context, args.output === 'json');
  if (!args.path) throw new HxeError('BAD_USAGE', 'name the directory to sync (or use --list)');
  const dir = path.resolve(args.path);
  const client = await context.client();
  if (args.stop) {
    await client.removeSync(dir);
    context.out(`stopped watching ${dir}; its services stay`);
    return 0;
  }
  if (args.watch) {
    const status = await client.addSync(dir, { prune: Boolean(args.prune), recursive: Boolean(args.recursive) });
    context.out(`watching ${dir}${args.prune ? ' (prune)' : ''}`);
    printStatus(context, status);
    return status.lastError ? 1 : 0;
  }
  const { services } = await loadFromArgs({ filename: [dir], recursive: args.recursive, home: args.home });
  const response = await client.apply(services, { source: dir, prune: Boolean(args.prune) });
  context.out(renderPlan(response.plan, createStyle(context.color)));
  return 0;
}

async function listSyncs(context: CliContext, json: boolean): Promise<number> {
  const statuses = await (await context.client()).syncs();
  if (json) {
    context.out(JSON.stringify(statuses, null, 2));
    return 0;
  }
  if (statuses.length === 0) {
    context.out('No synced paths.');
    return 0;
  }
  const rows = statuses.map((s) => [
    s.path,
    s.lastApplied ? s.lastApplied.hash.slice(0, 12) : '-',
    s.lastApplied?.commit ? s.lastApplied.commit.slice(0, 12) : '-',
    s.lastApplied ? formatAge(s.lastApplied.at) : '-',
    String(s.lastApplied?.services ?? 0),
    s.drift.length ? `${s.drift.length} drifting` : '-',
    s.lastError ? s.lastError.message.split('\n')[0] : '-',
  ]);
  context.out(renderTable(['PATH', 'HASH', 'COMMIT', 'SYNCED', 'SERVICES', 'DRIFT', 'LAST ERROR'], rows));
  for (const s of statuses) printDetails(context, s);
  return 0;
}

function printStatus(context: CliContext, status: SyncStatus): void {
  if (status.lastApplied) context.out(`synced ${status.lastApplied.services} services (hash ${status.lastApplied.hash.slice(0, 12)}${status.lastApplied.commit ? `, commit ${status.lastApplied.commit.slice(0, 12)}` : ''})`);
  printDetails(context, status);
}

function printDetails(context: CliContext, status: SyncStatus): void {
  if (status.lastError) context.out(`${status.path}: last pass refused, nothing applied:\n${indent(status.lastError.message)}`);
  for (const drift of status.drift) context.out(`${status.path}: ${drift.name} drifts: ${drift.reason}`);
}

const indent = (text: string) => text.split('\n').map((line) => `  ${line}`).join('\n');
