import { spawn } from 'node:child_process';
import { closeSync, openSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HxeError } from '../core/errors.js';
import type { HomePaths } from '../core/home.js';
import { connect, type HxeClient } from '../client/index.js';
import { localClient } from './clients.js';

// dist/ is flat (entries and chunks side by side): the agent's bundle is a sibling of this code.
const AGENT_ENTRY = fileURLToPath(new URL('./agent.js', import.meta.url));
const START_TIMEOUT_MS = 15_000;

/**
 * V8 flags of the resident agent: a small young generation (at 100
 * services, RSS 81 MB instead of 100 MB), and no V8 helper threads
 * (--single-threaded: GC and JIT on the main thread, whose heap is ~15 MB;
 * 100 services then cost 3 MB over the idle agent instead of 6: fewer
 * malloc arenas and GC work lists). Not --lite-mode or --jitless: they
 * disable WebAssembly, which Node's fetch needs for HTTP probes.
 */
export const AGENT_NODE_FLAGS = ['--max-semi-space-size=1', '--single-threaded'];
export { AGENT_ENTRY };

/**
 * Returns a client of the home's agent, starting one in the background when
 * none answers (as PM2 does). The agent is detached: it outlives this CLI.
 */
export async function ensureAgent(paths: HomePaths, options: { logLevel?: string } = {}): Promise<HxeClient> {
  const client = localClient(paths, options.logLevel);
  if (await client.answers()) return client;
  await startAgentProcess(paths, options);
  return client;
}

/** Spawns the agent detached and waits until it serves its socket; an agent that fails to start is reported with its own words. */
export async function startAgentProcess(paths: HomePaths, options: { logLevel?: string; configPaths?: string[] } = {}): Promise<number> {
  await fs.mkdir(paths.home, { recursive: true, mode: 0o700 });
  const out = openSync(paths.agentOut, 'w', 0o600);
  const args = [
    ...AGENT_NODE_FLAGS, AGENT_ENTRY, '--home', paths.home,
    ...(options.logLevel ? ['--log-level', options.logLevel] : []),
    ...(options.configPaths ?? []).flatMap((file) => ['--config', path.resolve(file)]),
  ];
  // cwd /: a daemon holds no directory busy, and paths it reports are absolute.
  const child = spawn(process.execPath, args, { detached: true, cwd: '/', stdio: ['ignore', out, out], env: process.env });
  closeSync(out);
  let exited: number | null = null;
  child.once('exit', (code) => { exited = code ?? 1; });
  child.unref();
  // Polled every 20 ms: each probe is one try (the client's backoff would only slow the start down).
  const probe = connect({ home: paths.home, retry: { attempts: 1 } });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await probe.answers()) return child.pid ?? 0;
    if (exited !== null) {
      // Exit 3: another agent won the race for this home; use that one.
      if (exited === 3 && (await waitForAnswer(probe, deadline))) return 0;
      const said = (await fs.readFile(paths.agentOut, 'utf8').catch(() => '')).trim();
      // Exit 2: the agent's configuration is invalid, a usage error like an invalid manifest.
      throw new HxeError(exited === 2 ? 'BAD_USAGE' : 'AGENT_UNAVAILABLE', said || `the agent exited with code ${exited} (see ${paths.agentLog})`);
    }
    await sleep(20);
  }
  throw new HxeError('AGENT_UNAVAILABLE', `the agent did not answer within ${START_TIMEOUT_MS / 1000}s (see ${paths.agentLog})`);
}

async function waitForAnswer(probe: HxeClient, deadline: number): Promise<boolean> {
  while (Date.now() < deadline) {
    if (await probe.answers()) return true;
    await sleep(20);
  }
  return false;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
