/**
 * The typed client of an hxe agent, and the CLI's only way to one: a thin
 * layer over a transport (ApiClient: the agent's HTTP API; or a fleet's
 * client over NATS), adding manifest paths, typed errors and retries on
 * failures that can pass.
 */
import type { ApiClient } from '../api/client.js';
import type { AgentStatus, ApplyResponse, DescribeResponse, NamesResponse } from '../api/protocol.js';
import type { InstanceEnvironment } from '../api/protocol-env.js';
import type { SyncStatus } from '../api/sync-status.js';
import type { TokenResponse } from '../api/token-routes.js';
import type { DesiredService, HxeEvent, InstanceView, ServiceSpec } from '../core/types.js';
import type { HostSample } from '../metrics/host-sampler.js';
import type { SecretInfo } from '../secrets/secret-store.js';
import { sourceSet } from '../manifest/source-set.js';
import { BadUsageError, typedError } from './errors.js';
import { withRetry, type CallKind, type RetryOptions } from './retry.js';
import { iterate } from './stream.js';

/** A service as the API takes it: `spec` in manifest form (validated by the agent with the manifest's schema), or as the manifest loader returns it. */
export interface ServiceInput {
  name: string;
  spec: Record<string, unknown> | ServiceSpec;
  /** Where it was declared, for errors and `describe` (default: the apply's `source`). */
  file?: string;
  line?: number | null;
}

export interface ApplyOptions {
  /** Delete the services of the same source set that the manifests no longer declare. */
  prune?: boolean;
  /** Apply only if the store is still at this revision (from `diff`); else a ConflictError. */
  checkIndex?: number;
  /** Plan only: nothing changes. */
  dryRun?: boolean;
  /** Descend into subdirectories of directories given. */
  recursive?: boolean;
  /** The source set of specs (default `client`); paths' set is the paths themselves, as the CLI's. */
  source?: string;
  /** PM2 ecosystem files: apply env_NAME over env. */
  pm2Env?: string;
}

export interface LogsOptions {
  /** Keep the stream open for what is appended (default false). */
  follow?: boolean;
  /** Lines of the tail first (default 10). */
  tail?: number;
  stream?: 'out' | 'err' | 'both';
  /** Followed lines carry the time they were read (as `hxe logs --timestamps`). */
  timestamps?: boolean;
}

/** A node of a fleet (`nodes()`). */
export interface NodeView {
  name: string;
  state: string;
  labels: Record<string, string>;
  services: number;
  joinedAt: string;
  heartbeatAt: string;
}

/** The answer of `reloadAgent()`: fields applied live, those that wait for a restart, or the refusal. */
export interface ReloadResult {
  applied: string[];
  restartNeeded: string[];
  error?: string;
}

/** What HxeClient sends through: an agent's API client, or a fleet's (which offers less: the rest throws BAD_USAGE). */
export type Transport = Pick<ApiClient, 'health' | 'agentStatus' | 'stopAgent' | 'list' | 'describe' | 'environment' | 'plan' | 'apply'
  | 'delete' | 'act' | 'syncs' | 'registerSync' | 'unregisterSync' | 'events' | 'logs' | 'logsOf' | 'watchEvents' | 'request'>
  & { nodes?: () => Promise<NodeView[]>; close?: () => Promise<void> };

/** How a client retries: the options, and (local socket) whether an agent pid lives. */
export interface ClientOptions {
  retry?: RetryOptions;
  agentAlive?: () => boolean;
}

/** What `connect` returns: calls retried on failures that can pass, errors as the classes of `hxe`. */
export class HxeClient {
  constructor(private readonly transport: Transport, private readonly options: ClientOptions = {}) {}

  /** Applies manifest files or directories (read by the CLI's loader), or specs; `dryRun` plans only. */
  async apply(input: string | string[] | ServiceInput[], options: ApplyOptions = {}): Promise<ApplyResponse> {
    const { source, services } = await this.desired(input, options);
    const request = { source, services, prune: options.prune ?? false, dryRun: options.dryRun ?? false, ...(options.checkIndex === undefined ? {} : { checkIndex: options.checkIndex }) };
    return this.call(() => this.transport.apply(request));
  }
  /** What `apply` would change, and the revision to pass as `checkIndex`. */
  async diff(input: string | string[] | ServiceInput[], options: Omit<ApplyOptions, 'dryRun' | 'checkIndex'> = {}): Promise<ApplyResponse> {
    const { source, services } = await this.desired(input, options);
    return this.call(() => this.transport.plan({ source, services, prune: options.prune ?? false, dryRun: true }));
  }
  /** Every instance, or those of the services or instances named. */
  list(names: string[] = []): Promise<InstanceView[]> {
    return this.call(() => this.transport.list(names));
  }
  /** One service's (or instance's) instances and recent events; NotFoundError when none. */
  get(name: string): Promise<DescribeResponse> {
    return this.call(() => this.transport.describe(name));
  }
  /** The services named, or with `all` every one. */
  delete(names: string[], options: { all?: boolean } = {}): Promise<NamesResponse> {
    return this.call(() => this.transport.delete(names, options.all ?? false));
  }
  start(names: string[]): Promise<NamesResponse> {
    return this.call(() => this.transport.act('start', names), { idempotent: false });
  }
  stop(names: string[]): Promise<NamesResponse> {
    return this.call(() => this.transport.act('stop', names));
  }
  restart(names: string[]): Promise<NamesResponse> {
    return this.call(() => this.transport.act('restart', names), { idempotent: false });
  }
  /** Events as they happen (of one service, or all), the recent ones first, until the caller breaks out or the agent goes. */
  events(options: { service?: string } = {}): AsyncIterableIterator<HxeEvent> {
    return iterate((push) => this.transport.watchEvents(options.service, push), typedError);
  }
  /** The recent events (of one service, or all), oldest first: at most `limit` (default 100). */
  recentEvents(options: { service?: string; limit?: number } = {}): Promise<HxeEvent[]> {
    return this.call(() => this.transport.events(options.service, options.limit ?? 100));
  }
  /**
   * Logs as text chunks: the tail, then with `follow` what is appended, until
   * the caller breaks out. A name gives one service's (or instance's); an
   * array several together, as `hxe logs` shows them ([] for every service).
   */
  logs(names: string | string[], options: LogsOptions = {}): AsyncIterableIterator<string> {
    const query = { tail: options.tail ?? 10, stream: options.stream ?? 'both', follow: options.follow ?? false } as const;
    if (typeof names === 'string' && !options.timestamps) return iterate((push) => this.transport.logs(names, query, push), typedError);
    const several = typeof names === 'string' ? [names] : names;
    return iterate((push) => this.transport.logsOf(several, { ...query, timestamps: options.timestamps ?? false }, push), typedError);
  }
  /** The environment each instance's process really has (values `(redacted)` over TCP). */
  environment(name: string): Promise<InstanceEnvironment[]> {
    return this.call(() => this.transport.environment(name));
  }

  /** True when the agent answers (after the retries); never throws. */
  async answers(): Promise<boolean> {
    return this.call(() => this.transport.health()).then(() => true, () => false);
  }
  /** The agent's pid, version, counts and configuration. */
  agentStatus(): Promise<AgentStatus> {
    return this.call(() => this.transport.agentStatus());
  }
  /** Asks the agent to exit, stopping its services unless `keepServices`; it answers before it is gone. */
  stopAgent(options: { keepServices?: boolean } = {}): Promise<{ stopping: boolean }> {
    return this.call(() => this.transport.stopAgent(options.keepServices ?? false), { idempotent: false });
  }
  /** Reads the agent's configuration files again (`hxe agent reload`). */
  reloadAgent(): Promise<ReloadResult> {
    return this.call(() => this.transport.request<ReloadResult>('POST', '/v1/agent/reload'), { idempotent: false });
  }
  /** The latest host sample, or null when the agent samples none. */
  async hostMetrics(): Promise<HostSample | null> {
    return (await this.call(() => this.transport.request<{ latest: HostSample | null }>('GET', '/v1/metrics/host'))).latest;
  }
  /** The synced directories and their state. */
  syncs(): Promise<SyncStatus[]> {
    return this.call(() => this.transport.syncs());
  }
  /** Watches a directory: the agent applies it now and on each change. */
  addSync(path: string, options: { prune?: boolean; recursive?: boolean } = {}): Promise<SyncStatus> {
    return this.call(() => this.transport.registerSync(path, { prune: options.prune ?? false, recursive: options.recursive ?? false }));
  }
  /** Stops watching a directory; its services stay. */
  removeSync(path: string): Promise<{ path: string }> {
    return this.call(() => this.transport.unregisterSync(path));
  }
  /** Secrets' names and when each was set (never their values). */
  secrets(): Promise<SecretInfo[]> {
    return this.call(() => this.transport.request<SecretInfo[]>('GET', '/v1/secrets'));
  }
  /** Sets a secret; `changed` is false when it already had this value. */
  setSecret(name: string, value: string): Promise<{ changed: boolean }> {
    return this.call(() => this.transport.request<{ changed: boolean }>('PUT', `/v1/secrets/${encodeURIComponent(name)}`, { value }));
  }
  removeSecret(name: string): Promise<unknown> {
    return this.call(() => this.transport.request('DELETE', `/v1/secrets/${encodeURIComponent(name)}`));
  }
  /** A token of the agent's TCP API (local socket only); `ttl` like `30d`, `role` admin or read. */
  createToken(options: { ttl?: string; role?: string; subject?: string } = {}): Promise<TokenResponse> {
    return this.call(() => this.transport.request<TokenResponse>('POST', '/v1/tokens', options), { idempotent: false });
  }
  /** Ends the client's connection: a fleet's NATS connection keeps the process alive until then (nothing to do for an agent). */
  async close(): Promise<void> {
    await this.transport.close?.();
  }
  /** A fleet's nodes (`connect({ nats })` only). */
  nodes(): Promise<NodeView[]> {
    const nodes = this.transport.nodes?.bind(this.transport);
    if (!nodes) return Promise.reject(new BadUsageError('nodes are a fleet\'s: connect to one with { nats }'));
    return this.call(nodes);
  }

  private async desired(input: string | string[] | ServiceInput[], options: ApplyOptions): Promise<{ source: string; services: DesiredService[] }> {
    const list: (string | ServiceInput)[] = Array.isArray(input) ? input : [input];
    if (list.length > 0 && list.every((item) => typeof item === 'string')) {
      const paths = list as string[];
      const { loadManifests } = await import('../manifest/load.js');
      const loaded = await loadManifests(paths, { recursive: options.recursive ?? false, pm2Env: options.pm2Env });
      return { source: options.source ?? sourceSet(paths), services: loaded.services };
    }
    // The agent decodes and checks each spec as the manifest loader would (a ManifestError otherwise).
    return { source: options.source ?? 'client', services: list as unknown as DesiredService[] };
  }

  private async call<T>(operation: () => Promise<T>, kind: Omit<CallKind, 'agentAlive'> = {}): Promise<T> {
    try {
      return await withRetry(operation, this.options.retry, { ...kind, agentAlive: this.options.agentAlive });
    } catch (err) {
      throw typedError(err);
    }
  }
}
