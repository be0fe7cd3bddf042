import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { ManifestError, type ManifestIssue } from '../core/errors.js';
import { decodeAlertsConfig, type AlertsConfig } from '../alerts/config.js';
import { collectFiles, type ManifestFile } from '../manifest/collect-files.js';
import { indexLines, keyLine, type KeyLine } from '../manifest/line-index.js';
import { parseDocument } from '../manifest/parse-document.js';
import { isPlainObject } from '../manifest/parse-outcome.js';
import { suggestionSuffix } from '../manifest/suggest.js';
import { errorMap } from '../manifest/zod-issues.js';
import { resolveEnvRefs } from './resolve-env.js';
import {
  agentBlockSchema, CONFIG_FIELDS, serverBlockSchema, syncBlockSchema, type AgentBlock, type ServerConfig, type SyncBlock,
} from './schema.js';

/** The agent's whole configuration, decoded. */
export interface AgentConfig {
  agent: Omit<AgentBlock, 'alerts'> & { alerts: AlertsConfig };
  /** null: no TCP API (the Unix socket only). */
  server: ServerConfig | null;
  syncs: SyncBlock[];
  /** The files read, absolute. */
  files: string[];
  /** Blocks found in the files (`agent`, `server`, `sync`), each counted. */
  blocks?: Record<'agent' | 'server' | 'sync', number>;
}

/** Blocks that hcl2json wraps in one-element arrays. */
const NESTED_BLOCKS = new Set(['metrics', 'nats', 'tls', 'auth', 'cors', 'rate_limit', 'git', 'pull_webhook']);
const TOP_LEVEL = new Set(['agent', 'server', 'sync', 'service', 'services']);

interface Found {
  file: ManifestFile;
  index: KeyLine[];
  body: unknown;
}

/**
 * Reads `agent {}`, `server {}` and `sync {}` blocks from files and
 * directories (service blocks beside them are left to the manifest loader).
 * `env:VAR` values are resolved from `env`. Throws ManifestError with every
 * issue (file, line, field) at once.
 */
export async function loadAgentConfig(paths: string[], env: NodeJS.ProcessEnv = process.env, recursive = false): Promise<AgentConfig> {
  const collected = await collectFiles(paths, recursive);
  const issues: ManifestIssue[] = [...collected.issues];
  const blocks: Record<'agent' | 'server' | 'sync', Found[]> = { agent: [], server: [], sync: [] };
  for (const file of collected.files) await readBlocks(file, env, blocks, issues);
  const agent = decodeSingle(blocks.agent, 'agent', agentBlockSchema, issues);
  const server = blocks.server.length > 0 ? decodeSingle(blocks.server, 'server', serverBlockSchema, issues) : null;
  const syncs = blocks.sync.map((found) => decode(found, 'sync', syncBlockSchema, issues)).filter((s): s is SyncBlock => s !== null)
    .map((sync, i) => ({ ...sync, path: resolve(dirname(blocks.sync[i].file.absolute), sync.path) }));
  // From the raw block, so that its problems show with the others even when another agent field is wrong.
  const rawAgent = blocks.agent.length === 1 && isPlainObject(blocks.agent[0].body) ? blocks.agent[0].body : {};
  const alerts = decodeAlertsConfig(rawAgent.alerts);
  if ('issues' in alerts) {
    for (const issue of alerts.issues) issues.push(issueAt(blocks.agent[0], ['agent', ...issue.path.split('.')], issue.message));
  }
  if (issues.length > 0 || !agent || !('config' in alerts)) throw new ManifestError(sortIssues(issues, collected.files));
  // Relative to the file that says it, as sync paths are.
  const dataDir = agent.data_dir ? resolve(dirname(blocks.agent[0].file.absolute), agent.data_dir) : undefined;
  return {
    agent: { ...agent, data_dir: dataDir, alerts: alerts.config },
    server,
    syncs,
    files: collected.files.map((f) => f.absolute),
    blocks: { agent: blocks.agent.length, server: blocks.server.length, sync: blocks.sync.length },
  };
}

/** By file (in the order read), then line: one report, as for manifests. */
function sortIssues(issues: ManifestIssue[], files: ManifestFile[]): ManifestIssue[] {
  const order = new Map(files.map((file, index) => [file.display, index]));
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => (order.get(a.issue.file) ?? -1) - (order.get(b.issue.file) ?? -1)
      || (a.issue.line ?? 0) - (b.issue.line ?? 0) || a.index - b.index)
    .map(({ issue }) => issue);
}

async function readBlocks(file: ManifestFile, env: NodeJS.ProcessEnv, blocks: Record<'agent' | 'server' | 'sync', Found[]>, issues: ManifestIssue[]) {
  const text = await readFile(file.absolute, 'utf8').catch((err: Error) => {
    issues.push({ file: file.display, line: null, service: null, path: '', message: err.message });
    return null;
  });
  if (text === null) return;
  const outcome = await parseDocument(file.format, text, file.display);
  if (!outcome.ok) {
    for (const issue of outcome.issues) issues.push({ file: file.display, line: issue.line, service: null, path: '', message: issue.message });
    return;
  }
  const index = indexLines(text, file.format);
  for (const [key, value] of Object.entries(outcome.document)) {
    if (!TOP_LEVEL.has(key)) {
      issues.push({ file: file.display, line: keyLine(index, [key], 1), service: null, path: key, message: `unknown block${suggestionSuffix(key, ['agent', 'server', 'sync'])}, expected agent, server or sync` });
      continue;
    }
    if (key !== 'agent' && key !== 'server' && key !== 'sync') continue;
    for (const raw of Array.isArray(value) ? value : [value]) {
      const missing: { path: string[]; name: string }[] = [];
      const body = resolveEnvRefs(raw, env, missing, [key]);
      for (const m of missing) issues.push(issueAt({ file, index, body: null }, m.path, `environment variable ${m.name} is not set`));
      blocks[key].push({ file, index, body: unwrapBlocks(body) });
    }
  }
}

function decodeSingle<S extends z.ZodType>(found: Found[], name: string, schema: S, issues: ManifestIssue[]): z.output<S> | null {
  if (found.length > 1) {
    const where = found.map((f) => f.file.display).join(', ');
    issues.push({ ...issueAt(found[1], [name], `${name} block given ${found.length} times (${where}), expected one`) });
    return null;
  }
  if (found.length === 0) {
    const result = schema.safeParse(undefined, { error: errorMap });
    return result.success ? result.data : null;
  }
  return decode(found[0], name, schema, issues);
}

function decode<S extends z.ZodType>(found: Found, name: string, schema: S, issues: ManifestIssue[]): z.output<S> | null {
  const result = schema.safeParse(found.body, { error: errorMap });
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const path = [name, ...issue.path.filter((segment) => typeof segment !== 'symbol').map(String)];
    if (issue.code !== 'unrecognized_keys') {
      issues.push(issueAt(found, path, issue.message));
      continue;
    }
    const known = CONFIG_FIELDS[path.join('.')] ?? [];
    for (const key of issue.keys) issues.push(issueAt(found, [...path, key], `unknown field${suggestionSuffix(key, known)}`));
  }
  return null;
}

function issueAt(found: Found | undefined, path: string[], message: string): ManifestIssue {
  const line = found ? keyLine(found.index, path, 1) : null;
  return { file: found?.file.display ?? '(config)', line, service: null, path: path.join('.'), message };
}

/** hcl2json gives `metrics { }` as `[{...}]`; TOML as `{...}`: one shape for the schema. */
function unwrapBlocks(body: unknown): unknown {
  if (!isPlainObject(body)) return body;
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const single = NESTED_BLOCKS.has(key) && Array.isArray(value) && value.length === 1 && isPlainObject(value[0]);
    result[key] = single ? unwrapBlocks((value as unknown[])[0]) : value;
  }
  return result;
}
