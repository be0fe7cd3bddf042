/**
 * The typed client of an hxe agent: a thin layer over ApiClient (the CLI's
 * transport), adding manifest paths, typed errors and retries while the
 * agent restarts.
 */
import { ApiClient, type AgentEndpoint } from '../api/client.js';
import type { ApplyResponse, DescribeResponse, NamesResponse } from '../api/protocol.js';
import type { DesiredService, HxeEvent, InstanceView } from '../core/types.js';
import { sourceSet } from '../manifest/source-set.js';
import { typedError } from './errors.js';
import { withRetry, type RetryOptions } from './retry.js';
import { iterate } from './stream.js';

/** A service as the API takes it: `spec` in manifest form (validated by the agent with the manifest's schema). */
export interface ServiceInput {
  name: string;
  spec: Record<string, unknown>;
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
}

/** What `connect` returns: every call retried while the agent restarts, errors as the classes of `hxe`. */
export class HxeClient {
  /** The transport, the one the CLI uses. */
  readonly api: ApiClient;

  constructor(endpoint: AgentEndpoint, private readonly retry: RetryOptions = {}) {
    this.api = new ApiClient(endpoint);
  }

  /** Applies manifest files or directories (read by the CLI's loader), or specs; `dryRun` plans only. */
  async apply(input: string | string[] | ServiceInput[], options: ApplyOptions = {}): Promise<ApplyResponse> {
    const { source, services } = await this.desired(input, options);
    const request = { source, services, prune: options.prune ?? false, dryRun: options.dryRun ?? false, ...(options.checkIndex === undefined ? {} : { checkIndex: options.checkIndex }) };
    return this.call(() => this.api.apply(request));
  }
  /** What `apply` would change, and the revision to pass as `checkIndex`. */
  async diff(input: string | string[] | ServiceInput[], options: Omit<ApplyOptions, 'dryRun' | 'checkIndex'> = {}): Promise<ApplyResponse> {
    const { source, services } = await this.desired(input, options);
    return this.call(() => this.api.plan({ source, services, prune: options.prune ?? false, dryRun: true }));
  }
  /** Every instance, or those of the services or instances named. */
  list(names: string[] = []): Promise<InstanceView[]> {
    return this.call(() => this.api.list(names));
  }
  /** One service's (or instance's) instances and recent events; NotFoundError when none. */
  get(name: string): Promise<DescribeResponse> {
    return this.call(() => this.api.describe(name));
  }
  delete(names: string[]): Promise<NamesResponse> {
    return this.call(() => this.api.delete(names));
  }
  start(names: string[]): Promise<NamesResponse> {
    return this.call(() => this.api.act('start', names), false);
  }
  stop(names: string[]): Promise<NamesResponse> {
    return this.call(() => this.api.act('stop', names));
  }
  restart(names: string[]): Promise<NamesResponse> {
    return this.call(() => this.api.act('restart', names), false);
  }
  /** Events as they happen (of one service, or all), until the caller breaks out or the agent goes. */
  events(options: { service?: string } = {}): AsyncIterableIterator<HxeEvent> {
    return iterate((push) => this.api.watchEvents(options.service, push), typedError);
  }
  /** A service's logs as text chunks: the tail, then with `follow` what is appended, until the caller breaks out. */
  logs(name: string, options: LogsOptions = {}): AsyncIterableIterator<string> {
    const query = { tail: options.tail ?? 10, stream: options.stream ?? 'both', follow: options.follow ?? false } as const;
    return iterate((push) => this.api.logs(name, query, push), typedError);
  }

  private async desired(input: string | string[] | ServiceInput[], options: ApplyOptions): Promise<{ source: string; services: DesiredService[] }> {
    const list: (string | ServiceInput)[] = Array.isArray(input) ? input : [input];
    if (list.every((item) => typeof item === 'string')) {
      const paths = list as string[];
      const { loadManifests } = await import('../manifest/load.js');
      const loaded = await loadManifests(paths, { recursive: options.recursive ?? false, pm2Env: options.pm2Env });
      return { source: options.source ?? sourceSet(paths), services: loaded.services };
    }
    // The agent decodes and checks each spec as the manifest loader would (a ManifestError otherwise).
    return { source: options.source ?? 'client', services: list as unknown as DesiredService[] };
  }

  private async call<T>(operation: () => Promise<T>, idempotent = true): Promise<T> {
    try {
      return await withRetry(operation, this.retry, idempotent);
    } catch (err) {
      throw typedError(err);
    }
  }
}
