/**
 * The manifest schema: the single source of truth for what a service may
 * say, its defaults and its normalisation. Input is one service's body as
 * both languages give it once blocks are unwrapped (see prepare-body.ts);
 * output is a complete {@link ServiceSpec} with a fixed key order, so the
 * same service in HCL and TOML serialises byte for byte alike.
 * Relative paths are resolved afterwards (resolve-paths.ts): they depend on
 * the file, not on the schema.
 */
import { z } from 'zod';
import type { RestartPolicy, ServiceSpec } from '../core/types.js';
import { commandProblem } from './command.js';
import { expected } from './describe-value.js';
import { formatDuration } from './duration.js';
import { DNS_1123_LABEL, MAX_NAME_LENGTH } from './names.js';
import { isPlainObject } from './parse-outcome.js';
import { ALWAYS, count, cpu, duration, memory, path, signal, stringList, stringMap, text } from './schema-fields.js';
import { healthCheck, healthCheckShape } from './schema-health-check.js';
import { secretRefProblem } from './secret-refs.js';

/** More instances than this is a typo, not a plan: one host runs them all. */
export const MAX_INSTANCES = 1000;
export const RESTART_POLICIES = ['always', 'on-failure', 'never'] as const;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const restartPolicy = z.enum(RESTART_POLICIES);

const resourcesInput = z.strictObject({
  cpu_limit: cpu.optional(),
  memory_limit: memory.optional(),
  restart_policy: restartPolicy.optional().describe('Same as the service-level restart_policy (give it once).'),
});

const backoffInput = z.strictObject({
  initial: duration('1s').describe('First delay; "0s" restarts at once.'),
  multiplier: z.number().min(1).prefault(2).describe('Each delay is the previous one times this.'),
  max: duration('5m').describe('Cap on the delay.'),
  reset_after: duration('1m').describe('Up this long, the next delay starts over.'),
});
const backoff = backoffInput.superRefine((value: unknown, ctx) => {
  if (!isPlainObject(value) || typeof value.max !== 'number' || typeof value.initial !== 'number') return;
  if (value.max < value.initial) {
    ctx.addIssue({ code: 'custom', path: ['max'], message: `${formatDuration(value.max)} is shorter than backoff.initial (${formatDuration(value.initial)})`, input: value.max });
  }
}, ALWAYS);

const crashloopInput = z.strictObject({
  max_restarts: count(1, 5).describe('Restarts within window that make a crashloop.'),
  window: duration('2m', 'positive'),
  give_up: z.boolean({ error: expected('true or false') }).prefault(false).describe('true: go to failed instead of retrying.'),
});

const watchInput = z.strictObject({
  paths: z.array(path, { error: expected('a list of paths') }).min(1, { error: 'expected at least one path' }).describe('Files or directories; relative to the manifest.'),
  ignore: stringList('a glob pattern').prefault([]),
  debounce: duration('500ms'),
});

const logsInput = z.strictObject({
  max_size: memory.prefault('20Mi').describe('Rotate a log file past this size.'),
  keep: count(0, 5, 1000).describe('Rotated files kept.'),
});

const environment = stringMap((key, value) => {
  if (!ENV_NAME.test(key)) return { key: true, message: 'invalid variable name, expected letters, digits and "_", not starting with a digit' };
  if (value.startsWith('env:') && !ENV_NAME.test(value.slice(4))) {
    return { key: false, message: `expected env:NAME with a variable name, got ${JSON.stringify(value)}` };
  }
  const secretProblem = secretRefProblem(value);
  return secretProblem === null ? null : { key: false, message: secretProblem };
});

const labels = stringMap((key) => (key === '' ? { key: true, message: 'label names must not be empty' } : null));

/** Fleet only: which nodes may run the service (see docs/fleet.md). */
const placementInput = z.strictObject({
  node: text('a node name').optional().describe('Only this node (agent.name).'),
  labels: labels.prefault({}).describe('Only nodes with all these labels (agent.labels).'),
});

const serviceShape = {
  command: text('a command line').describe('Program and arguments, split by POSIX shell quoting; run without a shell unless shell = true.'),
  args: stringList('an argument').prefault([]).describe('Arguments appended to those of command.'),
  shell: z.boolean({ error: expected('true or false') }).prefault(false).describe('Run command with /bin/sh -c.'),
  working_dir: path.optional().describe("Working directory; relative to the manifest file; default: the manifest file's directory."),
  user: text('a user name or uid').optional().describe('Run as this user (needs root).'),
  group: text('a group name or gid').optional().describe('Run as this group (needs root).'),
  environment: environment.prefault({}).describe('Variables; "env:NAME" takes NAME from the agent\'s environment at start; "secret:NAME" the secret NAME (hxe secret set).'),
  env_file: path.optional().describe('A dotenv file read at start; relative to the manifest file.'),
  depends_on: stringList('a service name', true).prefault([]).describe('Services that must be healthy before this one starts.'),
  instances: count(0, 1, MAX_INSTANCES).describe('Number of instances: NAME-0 ... NAME-(N-1) when more than one.'),
  health_check: healthCheck.optional(),
  resources: resourcesInput.prefault({}),
  restart_policy: restartPolicy.optional().describe('always (default) | on-failure | never.'),
  stop_signal: signal.prefault('SIGTERM').describe('Signal sent to stop; "TERM" or "SIGTERM".'),
  stop_timeout: duration('10s').describe('Then SIGKILL to the whole process group.'),
  backoff: backoff.prefault({}),
  crashloop: crashloopInput.prefault({}),
  watch: watchInput.optional(),
  logs: logsInput.prefault({}),
  labels: labels.prefault({}),
  tags: stringList('a tag').prefault([]),
  disabled: z.boolean({ error: expected('true or false') }).prefault(false).describe('Desired stopped.'),
  placement: placementInput.optional().describe('Fleet: the nodes that may run it; any node without it.'),
};

type ServiceInput = z.output<z.ZodObject<typeof serviceShape>>;

/** The command must split (unless a shell reads it) and restart_policy be given once. Runs {@link ALWAYS}. */
function checkService(value: unknown, ctx: z.RefinementCtx): void {
  if (!isPlainObject(value)) return;
  if (typeof value.command === 'string' && value.command !== '' && value.shell !== true) {
    const problem = commandProblem(value.command);
    if (problem) ctx.addIssue({ code: 'custom', path: ['command'], message: problem, input: value.command });
  }
  const outer = value.restart_policy;
  const nested = isPlainObject(value.resources) ? value.resources.restart_policy : undefined;
  if (typeof outer === 'string' && typeof nested === 'string' && outer !== nested) {
    ctx.addIssue({
      code: 'custom',
      path: ['resources', 'restart_policy'],
      message: `"${nested}" conflicts with restart_policy = "${outer}" of the service, give it once`,
      input: nested,
    });
  }
}

/** Builds the spec in the key order of {@link ServiceSpec}; merges the two places restart_policy may be given. */
function toServiceSpec(input: ServiceInput): ServiceSpec {
  const { restart_policy: nested, ...resources } = input.resources;
  const restartPolicy: RestartPolicy = input.restart_policy ?? nested ?? 'always';
  return {
    command: input.command,
    args: input.args,
    shell: input.shell,
    working_dir: input.working_dir ?? null,
    user: input.user ?? null,
    group: input.group ?? null,
    environment: input.environment,
    env_file: input.env_file ?? null,
    depends_on: input.depends_on,
    instances: input.instances,
    health_check: input.health_check ?? null,
    resources: { cpu_limit: resources.cpu_limit ?? null, memory_limit: resources.memory_limit ?? null },
    restart_policy: restartPolicy,
    stop_signal: input.stop_signal,
    stop_timeout: input.stop_timeout,
    backoff: input.backoff,
    crashloop: input.crashloop,
    watch: input.watch ?? null,
    logs: input.logs,
    labels: input.labels,
    tags: input.tags,
    disabled: input.disabled,
    // Only when given: specs stored before placement existed show no change.
    ...(input.placement ? { placement: { node: input.placement.node ?? null, labels: input.placement.labels } } : {}),
  };
}

const serviceInput = z.strictObject(serviceShape);

/** One service's body → its complete, normalised spec (paths still as written). */
export const serviceSchema = serviceInput.superRefine(checkService, ALWAYS).transform(toServiceSpec);

/** Fields each block accepts, by path inside a service ('' = the service itself): for "did you mean". */
export const FIELDS_BY_BLOCK: Readonly<Record<string, readonly string[]>> = {
  '': Object.keys(serviceShape),
  health_check: Object.keys(healthCheckShape),
  resources: Object.keys(resourcesInput.shape),
  backoff: Object.keys(backoffInput.shape),
  crashloop: Object.keys(crashloopInput.shape),
  watch: Object.keys(watchInput.shape),
  logs: Object.keys(logsInput.shape),
  placement: Object.keys(placementInput.shape),
};

/** Fields that are blocks in HCL (arrays of one object in hcl2json's output) and tables in TOML. */
export const BLOCK_FIELDS: readonly string[] = Object.keys(FIELDS_BY_BLOCK).filter((key) => key !== '');

export { AGENT_BLOCKS } from './agent-blocks.js';

/** A TOML manifest file as editors see it (JSON Schema export); HCL files have the same fields. */
export const manifestFileSchema = z
  .strictObject({
    service: z
      .record(z.string().regex(DNS_1123_LABEL).max(MAX_NAME_LENGTH), serviceSchema)
      .optional()
      .describe('Services by name (DNS-1123 label: lowercase letters, digits, "-"; at most 63 characters).'),
    agent: z.record(z.string(), z.unknown()).optional().describe('Agent settings, read by `hxe agent --config`; ignored by apply.'),
    server: z.record(z.string(), z.unknown()).optional().describe('Server settings, read by `hxe agent --config`; ignored by apply.'),
  })
  .describe('hxe manifest: the desired state of services.');
