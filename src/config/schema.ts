/**
 * The agent's configuration: the seed's `agent { }`, `server { }` and
 * `sync { }` blocks, decoded with the same field schemas (and messages) as
 * service manifests. Every field has a default: no config at all is valid.
 * The plan's own fields (`prometheus_endpoint = ":9090"`, `nats { servers,
 * cluster_name }`, `token_expiry`, `allowed_methods`, `requests_per_minute`,
 * `burst_size`) are accepted as written, beside hxe's longer forms.
 */
import os from 'node:os';
import { z } from 'zod';
import { errorMessage } from '../core/errors.js';
import { expected } from '../manifest/describe-value.js';
import { parseDuration } from '../manifest/duration.js';
import { isPlainObject } from '../manifest/parse-outcome.js';
import { ALWAYS, duration, path, stringList, stringMap, text } from '../manifest/schema-fields.js';
import { parseListenAddress } from './listen-address.js';

const bool = (fallback: boolean) => z.boolean({ error: expected('true or false') }).prefault(fallback);
const optionalText = (what: string) => text(what).optional();
const integerError = (issue: z.core.$ZodRawIssue) => (issue.code === 'invalid_type' ? expected('an integer')(issue) : undefined);
const positiveInt = () => z.int({ error: integerError }).min(1).optional();
/** A duration without a default: absent stays absent (its presence matters). */
const optionalDuration = z.string({ error: expected('a duration above 0 such as "1m"') }).transform((value, ctx) => {
  try {
    const ms = parseDuration(value);
    if (ms > 0) return ms;
    ctx.issues.push({ code: 'custom', message: `expected a duration above 0 such as "1m", got ${JSON.stringify(value)}`, input: value });
  } catch (err) {
    ctx.issues.push({ code: 'custom', message: errorMessage(err), input: value });
  }
  return z.NEVER;
}).optional();
/** A cluster name: it names the fleet's KV buckets, whose names allow letters, digits, "-" and "_". */
const CLUSTER_NAME = /^[A-Za-z0-9]([A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$/;

/** `"host:port"` or `":port"`, checked. */
const listenAddress = text('an address such as ":9090" or "127.0.0.1:9090"').refine((value) => parseListenAddress(value) !== null, {
  error: (issue) => `expected an address such as ":9090" or "127.0.0.1:9090", got ${JSON.stringify(issue.input)}`,
});

export const metricsSchema = z.strictObject({
  enabled: bool(true),
  /** How often CPU and memory are sampled (one batched call for all instances). */
  interval: duration('10s', 'positive'),
  /** How much history is kept in memory for `hxe top` and the page. */
  retention: duration('1h', 'positive'),
  /** `"/metrics"`: a path on the API (socket and TCP); `":9090"`: a listener of its own; "" disables it. */
  prometheus_endpoint: z.string({ error: expected('a path such as "/metrics" or an address such as ":9090"') })
    .refine((value) => value === '' || /^\/[^\s?#]*$/.test(value) || parseListenAddress(value) !== null, {
      error: (issue) => `expected a path such as "/metrics", an address such as ":9090", or "", got ${JSON.stringify(issue.input)}`,
    })
    .prefault('/metrics'),
}).prefault({});

const natsUrl = text('a nats:// URL').refine((value) => /^(nats|tls):\/\/[^\s/]+$/.test(value) && URL.canParse(value), {
  error: (issue) => `expected a URL such as "nats://10.0.0.1:4222", got ${JSON.stringify(issue.input)}`,
});

export const natsSchema = z.strictObject({
  /** The plan's form: the servers to join and the fleet's name (docs/fleet.md); the agent joins when servers is not empty. */
  servers: z.array(natsUrl, { error: expected('a list of nats:// URLs') }).prefault([]),
  cluster_name: text('a cluster name').refine((value) => CLUSTER_NAME.test(value), {
    error: 'expected a name of letters, digits, "-" and "_" (at most 63): it names the fleet\'s KV buckets',
  }).prefault('hxe-cluster'),
  enabled: bool(false),
  url: z.string().prefault('nats://127.0.0.1:4222'),
  token: optionalText('a token'),
  user: optionalText('a user name'),
  password: optionalText('a password'),
  creds_file: path.optional(),
  bucket: z.string().prefault('hxe'),
  tls: z.strictObject({ ca_file: path.optional(), cert_file: path.optional(), key_file: path.optional() }).optional(),
}).prefault({});

export const agentBlockSchema = z.strictObject({
  name: z.string().prefault(os.hostname()),
  /** Fleet: this node's labels, matched by a service's placement.labels. */
  labels: stringMap(() => null).prefault({}),
  /** The home (store, logs, socket) when neither --home nor HXE_HOME is given. */
  data_dir: path.optional(),
  log_level: z.enum(['trace', 'debug', 'info', 'warn', 'error']).prefault('info'),
  /** Which instances get a cgroup of their own: see docs/resources.md. */
  cgroups: z.enum(['auto', 'always', 'never']).prefault('auto'),
  metrics: metricsSchema,
  /** Decoded by src/alerts (its own schema); kept raw here. */
  alerts: z.unknown().optional(),
  nats: natsSchema,
}).prefault({});

/** Methods a CORS preflight may allow. */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

const authSchema = z.strictObject({
  /** token: a shared bearer token; jwt: HS256 tokens signed with `secret`. */
  type: z.enum(['token', 'jwt']).prefault('token'),
  token: optionalText('a token'),
  secret: optionalText('a secret'),
  /** Lifetime of a token from `hxe token create` without --ttl. */
  token_expiry: duration('24h', 'positive'),
}).prefault({});

const corsSchema = z.strictObject({
  /** The block's presence enables CORS; `enabled = false` turns it off again. */
  enabled: bool(true),
  allowed_origins: stringList('an origin').prefault([]),
  allowed_methods: z.array(z.string({ error: expected('a method name') }).transform((m) => m.toUpperCase()).pipe(z.enum(HTTP_METHODS)), {
    error: expected('a list of methods such as ["GET", "POST"]'),
  }).prefault(['GET', 'HEAD', 'POST', 'DELETE']),
});

const rateLimitSchema = z.strictObject({
  enabled: bool(true),
  /** The plan's form: refill rate and bucket size of a token bucket per client. */
  requests_per_minute: positiveInt(),
  burst_size: positiveInt(),
  /** The older form: `requests` per `window` (a bucket of `requests`, refilled over `window`). */
  requests: positiveInt(),
  window: optionalDuration,
}).prefault({});

const serverInput = z.strictObject({
  /** `"host:port"`: both at once (host and port are the long form). */
  listen: listenAddress.optional(),
  host: text('a host name or address').optional(),
  port: z.int({ error: integerError }).min(0).max(65_535).optional(),
  tls: z.strictObject({
    enabled: bool(false),
    cert_file: path.optional(),
    key_file: path.optional(),
  }).prefault({}),
  auth: authSchema,
  cors: corsSchema.optional(),
  rate_limit: rateLimitSchema,
  /** `POST /v1/syncs/pull`: a Git push webhook (GitHub's X-Hub-Signature-256) that pulls synced checkouts. */
  pull_webhook: z.strictObject({ secret: text('the webhook secret (e.g. "env:HXE_WEBHOOK_SECRET")') }).optional(),
}).superRefine((server: unknown, ctx) => checkServer(server, ctx), ALWAYS);

/** Rules across fields; runs even when a field failed (so every problem shows at once): guards every type. */
function checkServer(server: unknown, ctx: z.core.$RefinementCtx): void {
  if (!isPlainObject(server)) return;
  const block = (key: string) => (isPlainObject(server[key]) ? server[key] : {});
  const tls = block('tls');
  const auth = block('auth');
  const rate = block('rate_limit');
  if (tls.enabled === true && (!tls.cert_file || !tls.key_file)) {
    ctx.addIssue({ code: 'custom', path: ['tls'], message: 'enabled TLS needs cert_file and key_file' });
  }
  const type = auth.type ?? 'token';
  if (type === 'token' && !auth.token) ctx.addIssue({ code: 'custom', path: ['auth', 'token'], message: 'missing, expected a token (e.g. "env:HXE_TOKEN")' });
  if (type === 'jwt' && !auth.secret) ctx.addIssue({ code: 'custom', path: ['auth', 'secret'], message: 'missing, expected the JWT signing secret (e.g. "env:JWT_SECRET")' });
  if (server.listen !== undefined && (server.host !== undefined || server.port !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['listen'], message: 'give listen, or host and port, not both' });
  }
  const plan = rate.requests_per_minute !== undefined || rate.burst_size !== undefined;
  if (plan && (rate.requests !== undefined || rate.window !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['rate_limit', 'requests'], message: 'give requests_per_minute and burst_size, or requests and window, not both' });
  }
}

/** The `server { }` block, normalised: one address, CORS on or off, the rate limit as a token bucket. */
export const serverBlockSchema = serverInput.transform((server) => {
  const listen = server.listen ? parseListenAddress(server.listen)! : null;
  const rate = server.rate_limit;
  const window = rate.window ?? 60_000;
  const perMinute = rate.requests_per_minute ?? (rate.requests !== undefined ? (rate.requests * 60_000) / window : 600);
  return {
    host: listen ? listen.host : server.host ?? '127.0.0.1',
    port: listen ? listen.port : server.port ?? 7380,
    tls: server.tls,
    auth: server.auth,
    cors: server.cors
      ? { enabled: server.cors.enabled, allowed_origins: server.cors.allowed_origins, allowed_methods: server.cors.allowed_methods }
      : { enabled: false, allowed_origins: [] as string[], allowed_methods: [] as string[] },
    rate_limit: { enabled: rate.enabled, requests_per_minute: perMinute, burst_size: rate.burst_size ?? rate.requests ?? Math.ceil(perMinute) },
    ...(server.pull_webhook ? { pull_webhook: server.pull_webhook } : {}),
  };
});

const gitSchema = z.strictObject({
  /** What `git clone` takes: https://, ssh://, git@host:repo, or a local path. */
  url: text('a Git URL'),
  branch: text('a branch name').prefault('main'),
  /** How often the remote is fetched. */
  interval: duration('1m', 'positive'),
});

export const syncBlockSchema = z.strictObject({
  path,
  prune: bool(false),
  recursive: bool(false),
  /** A remote the agent clones into `path` and polls (as Flux's GitRepository). */
  git: gitSchema.optional(),
});

/** Known fields per block path (from `agent` / `server`), for "did you mean". */
export const CONFIG_FIELDS: Record<string, readonly string[]> = {
  agent: Object.keys(agentBlockSchema.unwrap().shape),
  'agent.metrics': Object.keys(metricsSchema.unwrap().shape),
  'agent.nats': Object.keys(natsSchema.unwrap().shape),
  server: Object.keys(serverInput.shape),
  'server.tls': ['enabled', 'cert_file', 'key_file'],
  'server.auth': Object.keys(authSchema.unwrap().shape),
  'server.cors': Object.keys(corsSchema.shape),
  'server.rate_limit': Object.keys(rateLimitSchema.unwrap().shape),
  sync: Object.keys(syncBlockSchema.shape),
  'sync.git': Object.keys(gitSchema.shape),
  'server.pull_webhook': ['secret'],
};

export type MetricsConfig = z.output<typeof metricsSchema>;
export type AgentBlock = z.output<typeof agentBlockSchema>;
export type ServerConfig = z.output<typeof serverBlockSchema>;
export type SyncBlock = z.output<typeof syncBlockSchema>;
