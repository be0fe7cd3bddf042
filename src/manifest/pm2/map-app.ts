/**
 * One PM2 app (as an ecosystem file declares it) → the raw body of an hxe
 * service, the same shape the HCL and TOML parsers give, so that the one
 * schema decodes and checks it. Fields are read as PM2 reads them; every
 * field that is not mapped is named in a warning.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { join as joinArgs } from 'shlex';
import { isPlainObject } from '../parse-outcome.js';
import { mapRestarts } from './map-restarts.js';
import { FieldProblem, toArgList, toBoolean, toInstances, toMs, toServiceName, toStringList } from './pm2-values.js';
import { INTERPRETER_BY_EXTENSION, MAPPED_FIELDS, UNMAPPED_FIELDS } from './pm2-fields.js';

export interface MapContext {
  /** The ecosystem file's directory: relative cwd and script resolve against it, as in PM2. */
  dir: string;
  /** `--env NAME`: env_NAME is applied over env. */
  envName?: string;
  /** What "max" means. */
  cpus: number;
}

export interface AppIssue {
  /** The PM2 field, as written. */
  field: string;
  message: string;
}

export interface MappedApp {
  /** The hxe name (DNS-1123), or null when neither name nor script gives one. */
  name: string | null;
  body: Record<string, unknown>;
  issues: AppIssue[];
  /** Each names a PM2 field and says what hxe does instead. */
  warnings: string[];
}

/** The state one app's mapping builds up. */
export interface MapState {
  app: Record<string, unknown>;
  body: Record<string, unknown>;
  issues: AppIssue[];
  warnings: string[];
  /** Reads a field (undefined when absent); a FieldProblem becomes an issue of that field. */
  read<T>(field: string, convert: (value: unknown) => T): T | undefined;
}

/** Maps one app; never throws for bad input (issues and warnings say what is wrong). */
export function mapApp(app: unknown, context: MapContext): MappedApp {
  if (!isPlainObject(app)) {
    return { name: null, body: {}, issues: [{ field: '', message: `expected an app object, got ${JSON.stringify(app)}` }], warnings: [] };
  }
  const state = createState(app);
  const workingDir = resolve(context.dir, state.read('cwd', text) ?? '.');
  state.body.working_dir = workingDir;
  const script = state.read('script', text);
  if (script === undefined && !state.issues.length) state.issues.push({ field: 'script', message: 'missing: the program or file to run' });
  if (script !== undefined) mapCommand(state, script, workingDir);
  const name = mapName(state, script);
  mapInstances(state, context.cpus);
  mapEnvironment(state, context.envName);
  mapRestarts(state);
  mapWatch(state, workingDir);
  mapIdentity(state);
  warnUnmapped(state);
  return { name, body: state.body, issues: state.issues, warnings: state.warnings };
}

function createState(app: Record<string, unknown>): MapState {
  const state: MapState = {
    app,
    body: {},
    issues: [],
    warnings: [],
    read(field, convert) {
      const value = app[field];
      if (value === undefined || value === null) return undefined;
      try {
        return convert(value);
      } catch (err) {
        if (!(err instanceof FieldProblem)) throw err;
        state.issues.push({ field, message: err.message });
        return undefined;
      }
    },
  };
  return state;
}

function text(value: unknown): string {
  if (typeof value === 'string' && value !== '') return value;
  throw new FieldProblem(`expected a non-empty string, got ${JSON.stringify(value)}`);
}

/** script + interpreter + interpreter_args/node_args → command; args → args. */
function mapCommand(state: MapState, script: string, workingDir: string): void {
  const chosen = state.read('interpreter', text) ?? state.read('exec_interpreter', text);
  const path = resolve(workingDir, script);
  const interpreter = chosen === 'none' ? undefined : (chosen ?? INTERPRETER_BY_EXTENSION[extname(script)] ?? defaultInterpreter(path));
  const interpreterArgs = [...(state.read('interpreter_args', toArgList) ?? []), ...(state.read('node_args', toArgList) ?? [])];
  if (interpreter === undefined && interpreterArgs.length > 0) {
    state.warnings.push('interpreter_args/node_args: not mapped: the script runs without an interpreter');
  }
  // A bare word that is not a file here ("npm") is a program found on PATH, as PM2 does.
  const program = interpreter === undefined && !script.includes('/') && !existsSync(path) ? script : path;
  const words = interpreter === undefined ? [program] : [interpreter, ...interpreterArgs, program];
  state.body.command = joinArgs(words);
  const args = state.read('args', toArgList);
  if (args && args.length > 0) state.body.args = args;
}

/**
 * PM2 runs a script of no known extension with node unless it is a binary;
 * a script starting with `#!` runs itself here (PM2 would hand it to node).
 */
function defaultInterpreter(path: string): string | undefined {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats?.isDirectory()) return 'node';
  if (!stats?.isFile()) return undefined;
  const start = readHead(path);
  return start === null || start.includes(0) || start.subarray(0, 2).toString() === '#!' ? undefined : 'node';
}

/** The first bytes of a file, or null when it cannot be read (spawning it will say why). */
function readHead(path: string): Buffer | null {
  const head = Buffer.alloc(512);
  try {
    const fd = openSync(path, 'r');
    try {
      return head.subarray(0, readSync(fd, head, 0, head.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

/** name → DNS-1123; without one, the script's basename without its extension (PM2's default). */
function mapName(state: MapState, script: string | undefined): string | null {
  const given = state.read('name', (value) => (typeof value === 'string' || typeof value === 'number' ? String(value) : text(value)));
  const written = given ?? (script === undefined ? undefined : basename(script, extname(script)));
  if (written === undefined) return null;
  const name = toServiceName(written);
  if (name === '') {
    state.issues.push({ field: 'name', message: `${JSON.stringify(written)} has no letter or digit to make a service name of` });
    return null;
  }
  if (given === undefined) state.warnings.push(`name: missing, "${name}" taken from the script's name`);
  else if (name !== given) state.warnings.push(`name: "${given}" is "${name}" in hxe (names are DNS-1123 labels)`);
  return name;
}

/** instances ("max", 0, -N, "4") and exec_mode; a cluster runs as that many separate processes. */
function mapInstances(state: MapState, cpus: number): void {
  const instances = state.read('instances', (value) => toInstances(value, cpus));
  const mode = state.read('exec_mode', (value) => {
    if (typeof value === 'string' && /^(cluster|fork)(_mode)?$/.test(value)) return value.replace(/_mode$/, '');
    throw new FieldProblem(`expected "fork" or "cluster", got ${JSON.stringify(value)}`);
  });
  if (instances !== undefined) state.body.instances = instances;
  if (mode === 'cluster' && (instances ?? 1) > 1) {
    state.warnings.push(`exec_mode: cluster runs ${instances} separate processes, with no shared listening socket: `
      + 'give each instance its own port (NODE_APP_INSTANCE) or listen with reusePort');
  }
}

/** env, then env_NAME for --env NAME; the instance index in instance_var (NODE_APP_INSTANCE), as PM2 sets it. */
function mapEnvironment(state: MapState, envName: string | undefined): void {
  const asMap = (value: unknown) => {
    if (isPlainObject(value)) return value;
    throw new FieldProblem(`expected a map of variable names to values, got ${JSON.stringify(value)}`);
  };
  const environment: Record<string, unknown> = { ...state.read('env', asMap) };
  if (envName !== undefined) Object.assign(environment, state.read(`env_${envName}`, asMap));
  const variable = state.read('instance_var', text) ?? 'NODE_APP_INSTANCE';
  if (!(variable in environment)) environment[variable] = 'env:HXE_INSTANCE';
  state.body.environment = environment;
}

/** watch: true (the working directory), a path or paths; ignore_watch; watch_delay. */
function mapWatch(state: MapState, workingDir: string): void {
  const watch = state.read('watch', (value) => (value === true || value === false ? value : toStringList(value)));
  if (watch === undefined || watch === false) return;
  const paths = watch === true ? [workingDir] : watch.map((path) => resolve(workingDir, path));
  const ignore = state.read('ignore_watch', toStringList);
  const debounce = state.read('watch_delay', toMs);
  state.body.watch = { paths, ...(ignore ? { ignore } : {}), ...(debounce !== undefined ? { debounce: `${debounce}ms` } : {}) };
}

/** uid/user → user, gid → group, autostart: false → disabled, namespace → a label. */
function mapIdentity(state: MapState): void {
  const id = (value: unknown) => (typeof value === 'number' ? String(value) : text(value));
  const user = state.read('uid', id) ?? state.read('user', id);
  if (user !== undefined) state.body.user = user;
  const group = state.read('gid', id);
  if (group !== undefined) state.body.group = group;
  const autostart = state.read('autostart', toBoolean);
  if (autostart === false) state.body.disabled = true;
  const namespace = state.read('namespace', text);
  if (namespace !== undefined) state.body.labels = { namespace };
}

/** Every field neither mapped nor an env_* environment is named, with what hxe does instead. */
function warnUnmapped(state: MapState): void {
  for (const field of Object.keys(state.app)) {
    if (MAPPED_FIELDS.includes(field) || /^env_./.test(field)) continue;
    const reason = UNMAPPED_FIELDS[field] ?? 'not a PM2 field hxe knows';
    state.warnings.push(`${field}: not mapped: ${reason}`);
  }
}
