/**
 * hxe as a library: `import { connect } from 'hxe'`.
 * See docs/client.md.
 */
import path from 'node:path';
import { homePaths, resolveHome } from '../core/home.js';
import { HxeClient } from './client.js';
import type { RetryOptions } from './retry.js';

export { HxeClient, type ApplyOptions, type LogsOptions, type ServiceInput } from './client.js';
export {
  AgentUnavailableError, BadUsageError, ConflictError, HxeError, ManifestError, NotFoundError, StoreError,
  type ErrorCode, type ManifestIssue,
} from './errors.js';
export type { RetryOptions } from './retry.js';
export type { ApplyResponse, DescribeResponse, NamesResponse } from '../api/protocol.js';
export type { HxeEvent, InstanceView, ServiceSpec } from '../core/types.js';

export interface ConnectOptions {
  /** The agent's home (its socket is `HOME/agent.sock`); default `$HXE_HOME`, else `~/.hxe`. */
  home?: string;
  /** A remote agent's TCP API, e.g. `http://10.0.0.5:7070`; `token` is its bearer token. */
  url?: string;
  token?: string;
  /** Retries while the agent is unreachable (refused, reset, no socket yet). */
  retry?: RetryOptions;
}

/**
 * A client of one agent: the local one (through its Unix socket) unless
 * `url` names a remote one. Nothing is sent until the first call, and
 * nothing starts an agent: start one with `hxe agent start`.
 */
export function connect(options: ConnectOptions = {}): HxeClient {
  if (options.url) return new HxeClient({ url: options.url, token: options.token }, options.retry);
  const home = options.home ? path.resolve(options.home) : resolveHome();
  return new HxeClient({ socketPath: homePaths(home).socket }, options.retry);
}
