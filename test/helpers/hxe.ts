import { execFile, type ChildProcess } from 'node:child_process';
import { promises as fs, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiClient } from '../../src/api/client.js';
import type { InstanceView } from '../../src/core/types.js';
import { readCommandLine } from '../../src/runtime/proc.js';
import { homeCgroupDir, removeLeftCgroups } from './cgroups.js';
import { isPidAlive, waitFor } from './processes.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(REPO, 'bin/hxe');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A throw-away hxe installation: its own HXE_HOME, the real built CLI, a real agent. */
export interface TestHome {
  home: string;
  dir: string;
  run(args: string[], options?: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number }): Promise<CliResult>;
  get(names?: string[]): Promise<InstanceView[]>;
  /** The agent's API client (the agent must be running): for polling without a CLI process each time. */
  api: ApiClient;
  /** Polls the API until `check` holds for the named instance's view; returns that view. */
  waitForInstance(name: string, check: (view: InstanceView) => boolean, what: string, timeoutMs?: number): Promise<InstanceView>;
  write(name: string, text: string): Promise<string>;
  /** Stops the agent and its services, and checks that none of the processes it saw, and none of its cgroups, are left. */
  cleanup(): Promise<void>;
}

export async function createTestHome(): Promise<TestHome> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hxe-e2e-'));
  const home = path.join(dir, 'home');
  const seenPids = new Set<number>();
  // CLIs still running: one left by a test that timed out mid-command could start an agent after the cleanup.
  const inFlight = new Set<ChildProcess>();
  const run: TestHome['run'] = (args, options = {}) =>
    new Promise((resolve) => {
      const child = execFile(process.execPath, [BIN, ...args], {
        cwd: options.cwd ?? dir,
        env: { ...process.env, HXE_HOME: home, NO_COLOR: '1', ...options.env },
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
      }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
      inFlight.add(child);
      child.once('close', () => inFlight.delete(child));
    });
  const get: TestHome['get'] = async (names = []) => {
    const result = await run(['get', ...names, '-o', 'json']);
    if (result.code !== 0) throw new Error(`hxe get failed: ${result.stderr}`);
    const views = JSON.parse(result.stdout) as InstanceView[];
    for (const view of views) if (view.status.pid) seenPids.add(view.status.pid);
    return views;
  };
  const api = new ApiClient({ socketPath: path.join(home, 'agent.sock') });
  const waitForInstance: TestHome['waitForInstance'] = (name, check, what, timeoutMs = 20_000) =>
    waitFor(async () => {
      const view = (await api.list([name])).find((v) => v.name === name);
      if (view?.status.pid) seenPids.add(view.status.pid);
      return view && check(view) ? view : undefined;
    }, { timeoutMs, intervalMs: 50, what: `${name}: ${what}` });
  return {
    home, dir, run, get, api, waitForInstance,
    async write(name, text) {
      const file = path.join(dir, name);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, text);
      return file;
    },
    async cleanup() {
      // In the set, a child has not closed yet: its 'close' is still to come.
      await Promise.all([...inFlight].map((child) => new Promise((resolve) => { child.once('close', resolve); child.kill('SIGKILL'); })));
      await get().catch(() => []);
      await run(['agent', 'stop']);
      const pidFile = path.join(home, 'agent.pid');
      const agentPid = Number(await fs.readFile(pidFile, 'utf8').catch(() => '0'));
      const left = [...new Set([...seenPids, ...(agentPid ? [agentPid] : []), ...agentsOf(home)])].filter(isPidAlive);
      for (const pid of left) killGroup(pid);
      const cgroups = await removeLeftCgroups(homeCgroupDir(home));
      await fs.rm(dir, { recursive: true, force: true });
      if (left.length > 0) throw new Error(`processes left behind: ${left.join(', ')}`);
      if (cgroups.length > 0) throw new Error(`cgroups left behind: ${cgroups.join(', ')}`);
    },
  };
}

/** Pids of processes run with `--home HOME` (an agent, even one whose pid file is not written yet). */
function agentsOf(home: string): number[] {
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).map(Number)
    .filter((pid) => ` ${readCommandLine(pid) ?? ''} `.includes(` --home ${home} `));
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
}
