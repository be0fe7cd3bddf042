/**
 * hxe as a library: `import { connect } from 'hxe'`.
 * See docs/client.md.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ApiClient } from '../api/client.js';
import { homePaths, resolveHome } from '../core/home.js';
import { isAlive, parsePid } from '../runtime/pid-lock.js';
import { HxeClient } from './client.js';
import { fleetTransport } from './fleet-transport.js';
import type { RetryOptions } from './retry.js';

export {
  HxeClient, type ApplyOptions, type LogsOptions, type NodeView, type ReloadResult, type ServiceInput,
} from './client.js';
export {
  AgentUnavailableError, BadUsageError, ConflictError, HxeError, ManifestError, NotFoundError, StoreError,
  type ErrorCode, type ManifestIssue,
} from './errors.js';
export type { RetryEvent, RetryOptions } from './retry.js';
export type { AgentStatus, ApplyResponse, DescribeResponse, NamesResponse } from '../api/protocol.js';
export type { InstanceEnvironment } from '../api/protocol-env.js';
export type { SyncStatus } from '../api/sync-status.js';
export type { TokenResponse } from '../api/token-routes.js';
export type { HxeEvent, InstanceView, ServiceSpec } from '../core/types.js';
export type { HostSample } from '../metrics/host-sampler.js';
export type { SecretInfo } from '../secrets/secret-store.js';

export interface ConnectOptions {
  /** The agent's home (its socket is `HOME/agent.sock`); default `$HXE_HOME`, else `~/.hxe`. */
  home?: string;
  /** A remote agent's TCP API, e.g. `http://10.0.0.5:7070`; `token` is its bearer token. */
  url?: string;
  token?: string;
  /** A fleet instead of one agent: its NATS servers (`nats://HOST:4222`; several in an array or separated by commas). */
  nats?: string | string[];
  /** The fleet's cluster name (default `hxe-cluster`). */
  cluster?: string;
  /** NATS credentials besides `token`: a user and password, a `.creds` file; `caFile` for TLS. */
  natsAuth?: { user?: string; password?: string; credsFile?: string; caFile?: string };
  /** Retries while the agent cannot be reached for a reason that can pass (see docs/client.md). */
  retry?: RetryOptions;
}

/**
 * A client of one agent: the local one (through its Unix socket) unless
 * `url` names a remote one; or of a fleet (`nats`), whose NATS connection
 * ends with `close()`. Nothing is sent until the first call, and nothing
 * starts an agent: start one with `hxe agent start`.
 */
export function connect(options: ConnectOptions = {}): HxeClient {
  if (options.nats) {
    const auth = { token: options.token, ...options.natsAuth };
    return new HxeClient(fleetTransport(options.nats, options.cluster ?? 'hxe-cluster', auth), { retry: options.retry });
  }
  if (options.url) return new HxeClient(new ApiClient({ url: options.url, token: options.token }), { retry: options.retry });
  const paths = homePaths(options.home ? path.resolve(options.home) : resolveHome());
  return new HxeClient(new ApiClient({ socketPath: paths.socket }), { retry: options.retry, agentAlive: () => pidLives(paths.pidFile) });
}

/** True while `agent.pid` names a live process: a socket nobody listens on is then an agent starting, worth waiting for. */
function pidLives(pidFile: string): boolean {
  let text: string;
  try {
    text = readFileSync(pidFile, 'utf8');
  } catch {
    return false;
  }
  const pid = parsePid(text);
  return pid !== null && isAlive(pid);
}
