/**
 * `hxe run [NAME] [--instances N] [--env K=V]... [--health URL] -- COMMAND...`
 * → one service, decoded by the same decodeService as a manifest's (one
 * schema, one set of rules), as `pm2 start app.js --name api -i 2` or
 * `kubectl run` would declare it.
 */
import { basename, extname, join } from 'node:path';
import { join as joinArgs } from 'shlex';
import { ManifestError, type ManifestIssue } from '../core/errors.js';
import type { DesiredService } from '../core/types.js';
import { decodeService, type ManifestSource } from './decode-service.js';
import { FieldProblem, toInstances, toServiceName } from './pm2/pm2-values.js';

export interface CommandLineService {
  name?: string;
  /** The program and its arguments, as given after `--`. */
  command: string[];
  /** A count, or "max" / 0 / -N as PM2's -i reads it. */
  instances?: string;
  /** `KEY=VALUE` each. */
  env?: string[];
  /** An http(s):// URL (http check) or tcp://HOST:PORT. */
  health?: string;
  restart?: string;
  /** The working directory: relative paths in the command are read from it. */
  cwd: string;
  cpus: number;
}

/** Where messages say such a service comes from. */
export const RUN_FILE = 'hxe run';

/** Programs whose first non-option argument names the service, as PM2 names an app after its script. */
const INTERPRETERS = /^(node|nodejs|bun|python[0-9.]*|ruby|php|perl|bash|sh|ts-node|tsx)$/;

/** The service the command line declares. @throws ManifestError naming each bad flag (exit 2). */
export function serviceFromCommandLine(line: CommandLineService): DesiredService {
  const issues: ManifestIssue[] = [];
  const flag = (path: string, message: string) => issues.push({ file: RUN_FILE, line: null, service: line.name ?? null, path, message });
  if (line.command.length === 0) {
    flag('', 'no command: give it after --, e.g. hxe run api -- node app.js');
    throw new ManifestError(issues);
  }
  const name = line.name ?? defaultName(line.command);
  const body: Record<string, unknown> = { command: joinArgs(line.command), working_dir: line.cwd };
  if (line.instances !== undefined) {
    try {
      body.instances = toInstances(line.instances, line.cpus);
    } catch (err) {
      if (!(err instanceof FieldProblem)) throw err;
      flag('--instances', err.message);
    }
  }
  body.environment = environment(line.env ?? [], flag);
  if (line.health !== undefined) body.health_check = healthCheck(line.health, flag);
  if (line.restart !== undefined) body.restart_policy = line.restart;
  const source: ManifestSource = { file: RUN_FILE, absolute: join(line.cwd, RUN_FILE), format: 'toml', index: [] };
  const decoded = decodeService({ name, body, line: null, end: Infinity }, source);
  issues.push(...decoded.issues);
  if (issues.length > 0 || decoded.service.spec === null) throw new ManifestError(issues);
  return { name, spec: decoded.service.spec, file: RUN_FILE, line: null };
}

function defaultName(command: string[]): string {
  const [program = '', ...rest] = command;
  const script = INTERPRETERS.test(basename(program)) ? rest.find((word) => !word.startsWith('-')) : undefined;
  const word = script ?? program;
  return toServiceName(basename(word, extname(word)));
}

function environment(pairs: string[], flag: (path: string, message: string) => void): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) flag('--env', `expected KEY=VALUE, got ${JSON.stringify(pair)}`);
    else env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}

function healthCheck(target: string, flag: (path: string, message: string) => void): Record<string, unknown> | undefined {
  if (/^https?:\/\//.test(target)) return { type: 'http', url: target };
  const tcp = /^tcp:\/\/([^:/]+):(\d+)$/.exec(target);
  if (tcp) return { type: 'tcp', host: tcp[1], port: Number(tcp[2]) };
  flag('--health', `expected an http(s):// URL or tcp://HOST:PORT, got ${JSON.stringify(target)}`);
  return undefined;
}
