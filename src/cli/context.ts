import path from 'node:path';
import { HxeError } from '../core/errors.js';
import { homePaths, resolveHome, type HomePaths } from '../core/home.js';
import { ApiClient } from '../api/client.js';
import { agentAnswers, ensureAgent } from './ensure-agent.js';

/** The global flags every command receives. */
export interface GlobalArgs {
  home?: string;
  server?: string;
  token?: string;
  'log-level'?: string;
  color?: boolean;
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
  out(text: string): void;
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
    client: async () => (server ? new ApiClient({ url: server, token }) : ensureAgent(paths, { logLevel: args['log-level'] })),
    runningAgent: async () => {
      if (server) return new ApiClient({ url: server, token });
      const local = new ApiClient({ socketPath: paths.socket });
      return (await agentAnswers(local)) ? local : null;
    },
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  };
}

/** The source set of an apply: the absolute paths given, sorted, so the same files are the same set from any directory. */
export function sourceSet(files: string[]): string {
  return [...new Set(files.map((file) => path.resolve(file)))].sort().join(',');
}
