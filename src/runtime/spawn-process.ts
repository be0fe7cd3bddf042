/**
 * Starting one instance: check what can be checked before the fork (so the
 * error says why), then hand it to a launcher (launch.ts).
 */
import { accessSync, constants, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import type { SpawnRequest } from '../core/ports.js';
import { envIdentity } from '../core/instances.js';
import { buildCommandLine, composeEnv, resolveEnvRefs, type CommandLine, type SecretValues } from './spawn-command.js';
import { resolveIdentity, type Identity } from './users.js';
import { logFile } from '../logs/log-files.js';
import type { LaunchSpec } from './launch.js';
import { DNS_1123_LABEL } from '../manifest/names.js';

/** Everything a spawn needs, checked. */
export interface PreparedSpawn {
  instance: string;
  command: CommandLine;
  cwd: string;
  env: Record<string, string>;
  identity: Identity;
}

/** The part of a spawned subprocess that hxe uses (execa's subprocess is a ChildProcess). */
export interface ChildHandle {
  readonly pid?: number;
  once(event: 'spawn', listener: () => void): unknown;
  once(event: 'error', listener: (err: Error) => void): unknown;
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
  unref(): void;
}

// Instance names become file names: never let one reach outside logDir.

/**
 * Resolves argv, cwd, environment and identity of a request. Rejects with a
 * message saying what is wrong (bad name or command, missing working_dir,
 * unreadable env_file, unset env:VAR, unknown user, user without root).
 */
export async function prepareSpawn(request: SpawnRequest, agentEnv: NodeJS.ProcessEnv, secrets?: SecretValues): Promise<PreparedSpawn> {
  const { spec } = request;
  if (!DNS_1123_LABEL.test(request.instance)) throw new Error(`invalid instance name: ${JSON.stringify(request.instance)}`);
  const command = buildCommandLine(spec);
  const cwd = workingDirOf(spec);
  await checkWorkingDir(cwd);
  const env = await environmentOf(request, agentEnv, secrets);
  const identity = resolveIdentity(spec.user, spec.group);
  return { instance: request.instance, command, cwd, env, identity };
}

/** The working directory a process of the spec runs in (and its exec health checks). */
export function workingDirOf(spec: SpawnRequest['spec']): string {
  return spec.working_dir ?? process.cwd();
}

/**
 * The whole environment a process of the request gets, and its exec health
 * checks with it: composeEnv over env_file and the resolved `environment`.
 * Rejects on an unreadable env_file or an unset env:VAR.
 */
export async function environmentOf(request: SpawnRequest, agentEnv: NodeJS.ProcessEnv, secrets?: SecretValues): Promise<Record<string, string>> {
  const { spec } = request;
  const envFile = spec.env_file === null ? {} : await readEnvFile(spec.env_file);
  const identity = envIdentity(spec, request.service, request.index);
  // env:HXE_INSTANCE and env:HXE_SERVICE name this instance's own (PM2's NODE_APP_INSTANCE is mapped so).
  const own = { HXE_SERVICE: identity.service, HXE_INSTANCE: String(identity.index) };
  const environment = resolveEnvRefs(spec.environment, { ...agentEnv, ...own }, secrets);
  return composeEnv({ agentEnv, envFile, environment, ...identity });
}

// Node reports a missing cwd as ENOENT of the command: check it first (synchronously, like checkExecutable).
async function checkWorkingDir(cwd: string): Promise<void> {
  const info = statSync(cwd, { throwIfNoEntry: false });
  if (!info) throw new Error(`working_dir does not exist: ${cwd}`);
  if (!info.isDirectory()) throw new Error(`working_dir is not a directory: ${cwd}`);
}

async function readEnvFile(path: string): Promise<Record<string, string>> {
  try {
    return parseDotenv(await readFile(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new Error(`env_file cannot be read: ${path} (${code})`, { cause: err });
  }
}

/** Paths of an instance's stdout and stderr logs. */
export function logPaths(logDir: string, instance: string): { out: string; err: string } {
  return { out: logFile(logDir, instance, 'out'), err: logFile(logDir, instance, 'err') };
}

/** What the fork + exec of a prepared spawn needs (launch.ts). */
export function launchSpecOf(prepared: PreparedSpawn, logDir: string): LaunchSpec {
  const paths = logPaths(logDir, prepared.instance);
  return { file: prepared.command.file, args: prepared.command.args, cwd: prepared.cwd, env: prepared.env, ...prepared.identity, out: paths.out, err: paths.err, logDir };
}

/** Resolves with the pid once the process runs; rejects with why it could not start. */
export function waitForSpawn(child: ChildHandle, command: CommandLine): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid as number));
    child.once('error', (err) => reject(describeSpawnError(err, command)));
  });
}

/** Where a shell looks when PATH is unset (dash's default): the wrapper's shell does the lookup. */
const DEFAULT_SEARCH_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Rejects as waitForSpawn would (command not found, permission denied) if
 * the program cannot be executed: needed when a wrapper execs it, since the
 * spawn of the wrapper itself succeeds. Looks it up as execvp does: a name
 * with a slash from `cwd`, any other in the environment's PATH.
 */
export async function checkExecutable(prepared: PreparedSpawn): Promise<void> {
  const { file } = prepared.command;
  const dirs = file.includes('/') ? [''] : (prepared.env.PATH ?? DEFAULT_SEARCH_PATH).split(':');
  let code = 'ENOENT';
  // Synchronous: a few stat calls of microseconds, on the restart path, where a thread-pool hop each would cost more.
  for (const dir of dirs) {
    const candidate = resolve(prepared.cwd, dir, file);
    const info = statSync(candidate, { throwIfNoEntry: false });
    if (!info) continue;
    if (info.isFile() && isExecutable(candidate)) return;
    code = 'EACCES'; // execvp reports EACCES if a candidate existed but none could run
  }
  throw describeSpawnError(Object.assign(new Error(code), { code }), prepared.command);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function describeSpawnError(err: Error, command: CommandLine): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ELOG') return err; // the log file's, said in full by launch.ts
  const reason =
    code === 'ENOENT' ? `command not found: ${command.file}`
      : code === 'EACCES' ? `permission denied: ${command.file}`
        : `cannot start ${command.file}: ${err.message}`;
  return new Error(reason, { cause: err });
}
