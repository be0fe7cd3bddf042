import { readFileSync } from 'node:fs';
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

/** ~/.hxe: the home when nothing else names one. */
export function defaultHome(): string {
  return path.join(os.homedir(), '.hxe');
}

/**
 * Where `agent.data_dir` is remembered for commands run without --home or
 * HXE_HOME (written by `hxe agent run|start --config` when the config sets it).
 */
export function dataDirPointer(): string {
  return path.join(defaultHome(), 'data-dir.json');
}

/** --home, else HXE_HOME, else the configured `agent.data_dir` (as remembered), else ~/.hxe. */
export function resolveHome(flag?: string): string {
  const home = flag || process.env.HXE_HOME || rememberedDataDir() || defaultHome();
  return path.resolve(home);
}

function rememberedDataDir(): string | null {
  try {
    const saved = JSON.parse(readFileSync(dataDirPointer(), 'utf8')) as { data_dir?: unknown };
    return typeof saved.data_dir === 'string' && path.isAbsolute(saved.data_dir) ? saved.data_dir : null;
  } catch {
    return null;
  }
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
