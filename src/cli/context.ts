import { HxeError } from '../core/errors.js';
import { homePaths, resolveHome, type HomePaths } from '../core/home.js';
import type { HxeClient } from '../client/client.js';
import { fleetOf, localClient, remoteClient } from './clients.js';
import { ensureAgent } from './ensure-agent.js';

/** The global flags every command receives. */
export interface GlobalArgs {
  home?: string;
  server?: string;
  token?: string;
  'log-level'?: string;
  color?: boolean;
  /** The fleet's cluster with `--server nats://...` (HXE_CLUSTER, default hxe-cluster). */
  cluster?: string;
}

export interface CliContext {
  paths: HomePaths;
  color: boolean;
  /** A client of the agent: the remote one with --server, else the local one (started if needed). */
  client(): Promise<HxeClient>;
  /**
   * For read-only commands: the remote client with --server, else the local
   * agent's client when one answers, else null. Never starts an agent: a
   * status query must not bring stopped services back.
   */
  runningAgent(): Promise<HxeClient | null>;
  /** The fleet's client (`--server nats://...`); a usage error otherwise. */
  fleet(): Promise<HxeClient>;
  out(text: string): void;
}

const closers: (() => Promise<void>)[] = [];

/** Closes the clients commands opened (a NATS connection keeps the process alive). */
export async function closeClients(): Promise<void> {
  await Promise.all(closers.splice(0).map((close) => close().catch(() => undefined)));
}

/**
 * The one place `--server nats://` picks the fleet's transport instead of an
 * agent's API: the typed client over it answers what the fleet offers, any
 * other call is a usage error (fleet/cli-client.ts).
 */
async function fleetClient(server: string, args: GlobalArgs, token: string | undefined): Promise<HxeClient> {
  const client = fleetOf(server, args.cluster ?? process.env.HXE_CLUSTER ?? 'hxe-cluster', token, process.env, args['log-level']);
  closers.push(() => client.close());
  return client;
}

export function createContext(args: GlobalArgs): CliContext {
  const paths = homePaths(resolveHome(args.home));
  const server = args.server ?? process.env.HXE_SERVER;
  const token = args.token ?? process.env.HXE_TOKEN;
  const color = args.color !== false && !process.env.NO_COLOR && Boolean(process.stdout.isTTY);
  if (Buffer.byteLength(paths.socket) > 100) {
    throw new HxeError('BAD_USAGE', `HXE_HOME is too long for a Unix socket path (${paths.socket}); use a shorter --home`);
  }
  return {
    paths,
    color,
    client: async () => {
      if (server && isNats(server)) return fleetClient(server, args, token);
      return server ? remoteClient(server, token, args['log-level']) : ensureAgent(paths, { logLevel: args['log-level'] });
    },
    runningAgent: async () => {
      if (server && isNats(server)) return fleetClient(server, args, token);
      if (server) return remoteClient(server, token, args['log-level']);
      // No socket, or one nobody listens on while no agent pid lives: no agent, said at once (no retries).
      const local = localClient(paths, args['log-level']);
      return (await local.answers()) ? local : null;
    },
    fleet: async () => {
      if (!server || !isNats(server)) throw new HxeError('BAD_USAGE', 'this command needs a fleet: --server nats://HOST:PORT (HXE_SERVER)');
      return fleetClient(server, args, token);
    },
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  };
}

function isNats(server: string): boolean {
  return /^(nats|tls):\/\//.test(server);
}

export { sourceSet } from '../manifest/source-set.js';
