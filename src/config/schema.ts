/**
 * The agent's configuration: the seed's `agent { }`, `server { }` and
 * `sync { }` blocks, decoded with the same field schemas (and messages) as
 * service manifests. Every field has a default: no config at all is valid.
 */
import os from 'node:os';
import { z } from 'zod';
import { count, duration, path, stringList, stringMap, text } from '../manifest/schema-fields.js';

const bool = (fallback: boolean) => z.boolean().prefault(fallback);
const optionalText = (what: string) => text(what).optional();

export const metricsSchema = z.strictObject({
  enabled: bool(true),
  /** How often CPU and memory are sampled (one batched call for all instances). */
  interval: duration('10s', 'positive'),
  /** How much history is kept in memory for `hxe top` and the page. */
  retention: duration('1h', 'positive'),
  /** Path of the Prometheus endpoint on the API (socket and TCP); "" disables it. */
  prometheus_endpoint: z.string().prefault('/metrics'),
}).prefault({});

export const natsSchema = z.strictObject({
  enabled: bool(false),
  url: z.string().prefault('nats://127.0.0.1:4222'),
  token: optionalText('a token'),
  user: optionalText('a user name'),
  password: optionalText('a password'),
  creds_file: path.optional(),
  bucket: z.string().prefault('hxe'),
  // Fleet (docs/fleet.md): the agent joins cluster_name when servers is not empty.
  servers: stringList('a NATS URL such as "nats://10.0.0.1:4222"').prefault([]),
  cluster_name: z.string().regex(/^[A-Za-z0-9_-]+$/, { error: 'expected letters, digits, "_" and "-"' }).prefault('hxe-cluster'),
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
  /** Reserved for the fleet (NATS JetStream KV store); parsed and checked now. */
  nats: natsSchema,
}).prefault({});

export const serverBlockSchema = z.strictObject({
  host: z.string().prefault('127.0.0.1'),
  port: count(0, 7380, 65535),
  tls: z.strictObject({
    enabled: bool(false),
    cert_file: path.optional(),
    key_file: path.optional(),
  }).prefault({}),
  auth: z.strictObject({
    /** token: a shared bearer token; jwt: HS256 tokens signed with `secret`. */
    type: z.enum(['token', 'jwt']).prefault('token'),
    token: optionalText('a token'),
    secret: optionalText('a secret'),
  }).prefault({}),
  cors: z.strictObject({
    enabled: bool(false),
    allowed_origins: stringList('an origin').prefault([]),
  }).prefault({}),
  rate_limit: z.strictObject({
    enabled: bool(true),
    requests: count(1, 600),
    window: duration('1m', 'positive'),
  }).prefault({}),
}).superRefine((server, ctx) => {
  if (server.tls?.enabled && (!server.tls.cert_file || !server.tls.key_file)) {
    ctx.addIssue({ code: 'custom', path: ['tls'], message: 'enabled TLS needs cert_file and key_file' });
  }
  if (server.auth?.type === 'token' && !server.auth.token) ctx.addIssue({ code: 'custom', path: ['auth', 'token'], message: 'missing, expected a token (e.g. "env:HXE_TOKEN")' });
  if (server.auth?.type === 'jwt' && !server.auth.secret) ctx.addIssue({ code: 'custom', path: ['auth', 'secret'], message: 'missing, expected the JWT signing secret (e.g. "env:HXE_JWT_SECRET")' });
});

export const syncBlockSchema = z.strictObject({
  path,
  prune: bool(false),
  recursive: bool(false),
});

export type MetricsConfig = z.output<typeof metricsSchema>;
export type AgentBlock = z.output<typeof agentBlockSchema>;
export type ServerConfig = z.output<typeof serverBlockSchema>;
export type SyncBlock = z.output<typeof syncBlockSchema>;
