import os from 'node:os';
import path from 'node:path';

/** Every path hxe writes for one home. Two homes are two independent installations. */
export interface HomePaths {
  home: string;
  store: string;
  socket: string;
  pidFile: string;
  agentLog: string;
  /** The detached agent's stdout/stderr, read by the CLI when an agent fails to start. */
  agentOut: string;
  logs: string;
  cache: string;
  /** The agent's recent events (NDJSON), loaded by the next agent. */
  events: string;
}

export function resolveHome(flag?: string): string {
  const home = flag || process.env.HXE_HOME || path.join(os.homedir(), '.hxe');
  return path.resolve(home);
}

export function homePaths(home: string): HomePaths {
  return {
    home,
    store: path.join(home, 'store.json'),
    socket: path.join(home, 'agent.sock'),
    pidFile: path.join(home, 'agent.pid'),
    agentLog: path.join(home, 'agent.log'),
    agentOut: path.join(home, 'agent.out'),
    logs: path.join(home, 'logs'),
    cache: path.join(home, 'cache'),
    events: path.join(home, 'events.log'),
  };
}
