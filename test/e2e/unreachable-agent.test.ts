/**
 * Issue 17, item 2: the CLI goes through the typed client, and its retries.
 * "No agent" (no socket; a socket left by a dead process while no agent pid
 * lives) is said at once, not retried; an agent that is there but not yet
 * answering (its pid lives, its socket refuses) is waited for. The CLI says
 * each retry at --log-level debug: that line is what these tests watch.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestHome, REPO, type TestHome } from '../helpers/hxe.js';
import { waitFor } from '../helpers/processes.js';

const NOTICE = 'agent not running; `hxe agent start`\n';

let t: TestHome;
beforeEach(async () => { t = await createTestHome(); });
afterEach(async () => { await t.cleanup(); });

/** A socket file nobody listens on, as a killed agent leaves it: bound by a process that then dies by SIGKILL. Returns that (dead) pid. */
async function staleSocket(socket: string): Promise<number> {
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socket)}, () => process.kill(process.pid, 'SIGKILL'))`]);
  await new Promise((resolve) => child.once('exit', resolve));
  await fs.stat(socket);
  return child.pid!;
}

describe('no agent: said at once', () => {
  it('without a socket: get answers from the store and stderr holds the notice alone, no retry', async () => {
    await fs.mkdir(t.home, { recursive: true });
    const get = await t.run(['get', '--log-level', 'debug']);
    expect([get.code, get.stderr]).toEqual([0, NOTICE]);
    const watch = await t.run(['get', '-w', '--log-level', 'debug']);
    expect([watch.code, watch.stderr]).toEqual([1, `${NOTICE}error: --watch needs a running agent\n`]);
    const status = await t.run(['agent', 'status', '--log-level', 'debug']);
    expect([status.code, status.stdout, status.stderr]).toEqual([1, 'agent not running\n', '']);
  });

  it('with a dead socket and an agent.pid whose process is gone: the same, no retry', async () => {
    await fs.mkdir(t.home, { recursive: true });
    const dead = await staleSocket(path.join(t.home, 'agent.sock'));
    await fs.writeFile(path.join(t.home, 'agent.pid'), `${dead}\n`);
    const get = await t.run(['get', '--log-level', 'debug']);
    expect([get.code, get.stderr]).toEqual([0, NOTICE]);
    const describe = await t.run(['describe', 'web', '--log-level', 'debug']);
    expect([describe.code, describe.stderr]).toEqual([1, `${NOTICE}error: no such service: web\n`]);
  });
});

describe('an agent not answering yet: waited for', () => {
  it('get retries while the socket refuses and the agent pid lives, then shows the live instances', async () => {
    expect((await t.run(['run', 'web', '--', 'sleep', '1000'])).code).toBe(0);
    const running = await t.waitForInstance('web', (v) => v.status.state === 'running', 'running');
    // The agent lives (agent.pid) but its socket refuses, as while it starts: its own socket moved aside, a dead one in its place.
    const socket = path.join(t.home, 'agent.sock');
    await fs.rename(socket, `${socket}.aside`);
    let restored = false;
    const restore = async () => { if (!restored) { restored = true; await fs.rename(`${socket}.aside`, socket); } };
    try {
      await staleSocket(socket);
      const child = spawn(process.execPath, [path.join(REPO, 'bin/hxe'), 'get', 'web', '-o', 'json', '--log-level', 'debug'], {
        env: { ...process.env, HXE_HOME: t.home, NO_COLOR: '1' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
      child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      // The first retry said: now the agent "finishes starting" (its socket is back).
      await waitFor(() => /ECONNREFUSED.*retrying in \d+ ms/.test(stderr), { what: 'a retry line', timeoutMs: 20_000 });
      await restore();
      expect(await exited).toBe(0);
      expect(stderr).not.toContain('agent not running');
      const [view] = JSON.parse(stdout) as { status: { state: string; pid: number } }[];
      expect(view.status).toMatchObject({ state: 'running', pid: running.status.pid });
    } finally {
      await restore();
    }
  });
});
