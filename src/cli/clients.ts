/** The CLI's clients of an agent: the typed client (src/client), with the CLI's retry reporting. */
import type { HomePaths } from '../core/home.js';
import { connect, type HxeClient, type RetryOptions } from '../client/index.js';

/**
 * The retries of the CLI's calls: the client's defaults; at `--log-level
 * debug` (or trace) each one is said on stderr, so a slow answer explains itself.
 */
export function cliRetry(logLevel: string | undefined): RetryOptions {
  if (logLevel !== 'debug' && logLevel !== 'trace') return {};
  return {
    onRetry: ({ attempt, attempts, delayMs, error }) =>
      process.stderr.write(`debug: ${error.message}; retrying in ${delayMs} ms (attempt ${attempt + 1} of ${attempts})\n`),
  };
}

/** A client of the home's agent, over its Unix socket; nothing is sent yet. */
export function localClient(paths: HomePaths, logLevel?: string): HxeClient {
  return connect({ home: paths.home, retry: cliRetry(logLevel) });
}

/**
 * A client of a fleet (`--server nats://...`, several URLs separated by
 * commas). NATS credentials come from the environment: HXE_NATS_CREDS (a
 * .creds file), HXE_NATS_USER and HXE_NATS_PASSWORD, HXE_NATS_CA (TLS), or
 * the token (--token, HXE_TOKEN).
 */
export function fleetOf(server: string, cluster: string, token: string | undefined, env: NodeJS.ProcessEnv, logLevel?: string): HxeClient {
  const natsAuth = { user: env.HXE_NATS_USER, password: env.HXE_NATS_PASSWORD, credsFile: env.HXE_NATS_CREDS, caFile: env.HXE_NATS_CA };
  return connect({ nats: server, cluster, token, natsAuth, retry: cliRetry(logLevel) });
}

/** A client of a remote agent's TCP API (`--server https://...`). */
export function remoteClient(url: string, token: string | undefined, logLevel?: string): HxeClient {
  return connect({ url, token, retry: cliRetry(logLevel) });
}
