import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/api/client.js';
import { REPO } from '../helpers/hxe.js';
import { waitFor } from '../helpers/processes.js';

const canUnshare = process.getuid?.() === 0 && existsSync('/usr/bin/unshare');
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => { for (const cleanup of cleanups.splice(0)) await cleanup(); });

/** pid and state of each child of `pid` (seen from the host). */
function childrenOf(pid: number): { pid: number; state: string; command: string }[] {
  let text = '';
  try {
    text = execFileSync('ps', ['-o', 'pid=,stat=,comm=', '--ppid', String(pid)], { encoding: 'utf8' }).trim();
  } catch {
    // ps exits 1 when there is no such process.
  }
  return text ? text.split('\n').map((line) => {
    const [child, state, command] = line.trim().split(/\s+/);
    return { pid: Number(child), state, command };
  }) : [];
}

const cli = (home: string, args: string[]) => new Promise<{ code: number; stderr: string }>((resolve) => {
  execFile(process.execPath, [path.join(REPO, 'bin/hxe'), ...args], { env: { ...process.env, HXE_HOME: home } },
    (error, _stdout, stderr) => resolve({ code: error ? Number(error.code) || 1 : 0, stderr }));
});

describe('hxe agent run as the PID 1 of a PID namespace (a container)', () => {
  it.skipIf(!canUnshare)('prints its log, reaps orphaned grandchildren, and stops on SIGTERM', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hxe-pid1-'));
    const home = path.join(dir, 'home');
    // bin/hxe run as a program (not through node): its shell is PID 1 and the agent its child.
    const unshare = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child=SIGKILL', path.join(REPO, 'bin/hxe'), 'agent', 'run'], { env: { ...process.env, HXE_HOME: home } });
    const exited = new Promise<number | null>((resolve) => unshare.on('exit', resolve));
    cleanups.push(async () => {
      if (unshare.exitCode === null) unshare.kill('SIGKILL');
      await exited;
      await fs.rm(dir, { recursive: true, force: true });
    });
    let stdout = '';
    unshare.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    const api = new ApiClient({ socketPath: path.join(home, 'agent.sock') });
    await waitFor(() => api.health(), { timeoutMs: 20_000, what: 'the agent in the namespace' });
    const init = childrenOf(unshare.pid!)[0].pid;
    expect(childrenOf(init).map((child) => child.command)).toEqual(['node']);

    // Each pass leaves an orphan that marks a file as it ends, then is a zombie until PID 1 reaps it.
    const done = path.join(dir, 'orphan-done');
    const command = `sh -c '(sh -c "sleep 0.2; touch ${done}" &); exec sleep 1000'`;
    await fs.writeFile(path.join(dir, 's.hcl'), `service "orphans" {\n  command = ${JSON.stringify(command)}\n}\n`);
    const applied = await cli(home, ['apply', '-f', path.join(dir, 's.hcl')]);
    expect(applied.code, applied.stderr).toBe(0);
    await waitFor(() => existsSync(done), { timeoutMs: 20_000, what: 'the orphan to end' });
    await waitFor(() => childrenOf(init).every((child) => child.command === 'node' && child.state !== 'Z'), { what: 'the orphan reaped' });

    expect(stdout).toMatch(/"msg":"agent started"/);
    // As `docker stop` does: SIGTERM to PID 1, which passes it to the agent.
    process.kill(init, 'SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/"msg":"agent stopped"/);
    expect(await fs.readFile(path.join(home, 'agent.log'), 'utf8')).toMatch(/"msg":"agent stopped"/);
  }, 60_000);
});
