import { HxeError } from '../core/errors.js';
import { homePaths, resolveHome, type HomePaths } from '../core/home.js';
import { ApiClient } from '../api/client.js';
import { agentAnswers, ensureAgent } from './ensure-agent.js';
import type { FleetClient } from '../fleet/client.js';

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
  client(): Promise<ApiClient>;
  /**
   * For read-only commands: the remote client with --server, else the local
   * agent's client when one answers, else null. Never starts an agent: a
   * status query must not bring stopped services back.
   */
  runningAgent(): Promise<ApiClient | null>;
  /** The fleet client (`--server nats://...`); a usage error otherwise. */
  fleet(): Promise<FleetClient>;
  out(text: string): void;
}

const closers: (() => Promise<void>)[] = [];

/** Closes the clients commands opened (a NATS connection keeps the process alive). */
export async function closeClients(): Promise<void> {
  await Promise.all(closers.splice(0).map((close) => close().catch(() => undefined)));
}

/** The one place `--server nats://` picks the fleet client instead of an agent's API. */
async function fleetClient(server: string, args: GlobalArgs, token: string | undefined): Promise<FleetClient> {
  const { createFleetClient } = await import('../fleet/cli-client.js');
  const client = createFleetClient(server, args.cluster ?? process.env.HXE_CLUSTER ?? 'hxe-cluster', token, process.env);
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
      // The fleet client answers what the fleet offers; any other call is a usage error (cli-client.ts).
      if (server && isNats(server)) return (await fleetClient(server, args, token)) as unknown as ApiClient;
      return server ? new ApiClient({ url: server, token }) : ensureAgent(paths, { logLevel: args['log-level'] });
    },
    runningAgent: async () => {
      if (server && isNats(server)) return (await fleetClient(server, args, token)) as unknown as ApiClient;
      if (server) return new ApiClient({ url: server, token });
      const local = new ApiClient({ socketPath: paths.socket });
      return (await agentAnswers(local)) ? local : null;
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
