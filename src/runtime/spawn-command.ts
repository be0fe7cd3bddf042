/**
 * What a service runs with: its argv and its environment, as pure functions
 * of the spec (no I/O), so the rules are tested without processes.
 */
import { quote } from 'shlex';
import { splitCommand as splitWords } from '../manifest/command.js';
import type { ServiceSpec } from '../core/types.js';

/** A program and its arguments, run without a shell unless `file` is the shell. */
export interface CommandLine {
  file: string;
  args: string[];
}

/** The shell of `shell = true`: POSIX sh, present on every Unix. */
export const SHELL = '/bin/sh';

/**
 * Splits a command line by POSIX shell quoting rules (quotes, backslash
 * escapes; no expansion). Throws on an unclosed quote or an empty command.
 */
export function splitCommand(command: string): string[] {
  // One definition of the quoting rules: the manifest's, which validated this command.
  const words = splitWords(command);
  if (words.length === 0) throw new Error('command is empty');
  return words;
}

/**
 * The argv of a service: `command` split + `args`, run directly so the pid
 * is the program's own; with `shell`, `/bin/sh -c` gets the command line with
 * `args` quoted, so they stay single words for the shell.
 */
export function buildCommandLine(spec: Pick<ServiceSpec, 'command' | 'args' | 'shell'>): CommandLine {
  if (spec.shell) {
    if (spec.command.trim() === '') throw new Error('command is empty');
    return { file: SHELL, args: ['-c', [spec.command, ...spec.args.map(quote)].join(' ')] };
  }
  const [file, ...args] = splitCommand(spec.command);
  return { file, args: [...args, ...spec.args] };
}

const ENV_REF = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;
// As refs.ts of secrets writes them: `secret:NAME`, stamped `@VERSION` when stored.
const SECRET_REF = /^secret:([A-Za-z_][A-Za-z0-9_.-]*)(?:@[0-9a-f]+)?$/;

/** The plain value of a set secret, undefined when not set. */
export type SecretValues = (name: string) => string | undefined;

/**
 * Replaces `env:VAR` values by the agent's VAR and `secret:NAME` values by
 * the secret's current value. Throws, naming the variables (never values:
 * they are secrets), when the agent does not have VAR or NAME is not set.
 */
export function resolveEnvRefs(
  environment: Record<string, string>,
  agentEnv: NodeJS.ProcessEnv,
  secrets: SecretValues = () => undefined,
): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) {
    const secret = SECRET_REF.exec(value)?.[1];
    if (secret !== undefined) {
      const found = secrets(secret);
      if (found === undefined) throw new Error(`environment.${name}: secret:${secret} is not set (hxe secret set ${secret})`);
      resolved[name] = found;
      continue;
    }
    const ref = ENV_REF.exec(value)?.[1];
    if (ref === undefined) {
      resolved[name] = value;
      continue;
    }
    const found = agentEnv[ref];
    if (found === undefined) {
      throw new Error(`environment.${name}: env:${ref} is not set in the agent's environment`);
    }
    resolved[name] = found;
  }
  return resolved;
}

/** The layers of a service's environment, lowest first. */
export interface EnvLayers {
  agentEnv: NodeJS.ProcessEnv;
  /** Parsed `env_file`, or {} without one. */
  envFile: Record<string, string>;
  /** The spec's `environment`, `env:VAR` values already resolved. */
  environment: Record<string, string>;
  service: string;
  index: number;
}

/**
 * The whole environment of a process: the agent's, then env_file, then
 * environment (later wins), then HXE_SERVICE and HXE_INSTANCE. Nothing else:
 * a variable removed from the spec is gone at the next start.
 */
export function composeEnv(layers: EnvLayers): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(layers.agentEnv)) {
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, layers.envFile, layers.environment);
  env.HXE_SERVICE = layers.service;
  env.HXE_INSTANCE = String(layers.index);
  return env;
}
