import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InstanceEnvironment } from '../../src/api/protocol-env.js';
import type { AgentStatus } from '../../src/api/protocol.js';
import type { InstanceView } from '../../src/core/types.js';
import { createTestHome, REPO, type TestHome } from '../helpers/hxe.js';
import { fixtureCommand, waitFor } from '../helpers/processes.js';

let t: TestHome;
const followers: ChildProcess[] = [];
beforeEach(async () => { t = await createTestHome(); });
afterEach(async () => {
  for (const child of followers.splice(0)) child.kill('SIGINT');
  await t.cleanup();
});

const service = (name: string, command: string, body = '') => `service "${name}" {\n  command = ${JSON.stringify(command)}\n${body}\n}\n`;
const FOREVER = fixtureCommand('forever.mjs');
const CHATTY = fixtureCommand('chatty.mjs', '100000', '20', '200');

async function apply(text: string) {
  const file = await t.write('services.hcl', text);
  const result = await t.run(['apply', '-f', file]);
  expect(result.code, result.stderr).toBe(0);
}

const running = (v: InstanceView) => v.status.state === 'running' && v.status.pid !== null;

/** A CLI process that keeps running (`-w`, `-f`): its output so far, and a stop. */
function follow(args: string[]): { output: () => string } {
  const child = spawn(process.execPath, [path.join(REPO, 'bin/hxe'), ...args], { env: { ...process.env, HXE_HOME: t.home, NO_COLOR: '1' } });
  followers.push(child);
  let text = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { text += chunk; });
  return { output: () => text };
}

describe('hxe env', () => {
  it('shows the environment the process really got, over the socket; hxe\'s marker left out', async () => {
    await apply(service('api', FOREVER, '  environment = { GREETING = "hello", API_KEY = "s3cret" }'));
    const view = await t.waitForInstance('api', running, 'running');
    const shown = await t.run(['env', 'api']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^GREETING=hello$/m);
    expect(shown.stdout).toMatch(/^API_KEY=s3cret$/m);
    expect(shown.stdout).not.toMatch(/HXE_SPAWN/);
    // The process has the marker: env leaves it out on purpose.
    expect(await fs.readFile(`/proc/${view.status.pid}/environ`, 'utf8')).toMatch(/HXE_SPAWN=/);
    // describe still redacts.
    expect((await t.run(['describe', 'api'])).stdout).not.toMatch(/s3cret/);
    expect((await t.run(['env', 'nope'])).code).toBe(1);
  });

  it('over TCP, even with an admin token, shows keys with redacted values', async () => {
    const token = 'env-test-token-0123456789';
    const file = await t.write('config/agent.hcl', `server {\n  host = "127.0.0.1"\n  port = 0\n  auth {\n    type = "token"\n    token = "${token}"\n  }\n}\n`);
    expect((await t.run(['agent', 'start', '--config', path.dirname(file)])).code).toBe(0);
    const status = JSON.parse((await t.run(['agent', 'status', '-o', 'json'])).stdout) as AgentStatus;
    await apply(service('api', FOREVER, '  environment = { API_KEY = "s3cret" }'));
    await t.waitForInstance('api', running, 'running');
    const remote = await t.run(['env', 'api', '-o', 'json', '--server', status.server!, '--token', token]);
    expect(remote.code, remote.stderr).toBe(0);
    const [entry] = JSON.parse(remote.stdout) as InstanceEnvironment[];
    expect(entry.redacted).toBe(true);
    expect(entry.environment?.API_KEY).toBe('(redacted)');
    expect(remote.stdout).not.toMatch(/s3cret/);
  });
});

describe('kubectl habits', () => {
  it('get NAME-i lists that instance only; describe shows durations and sizes as written', async () => {
    await apply(service('worker', FOREVER, '  instances = 2\n  stop_timeout = "3s"\n  resources {\n    memory_limit = "20Mi"\n  }'));
    const one = await t.get(['worker-1']);
    expect(one.map((v) => v.name)).toEqual(['worker-1']);
    expect((await t.get(['worker'])).map((v) => v.name)).toEqual(['worker-0', 'worker-1']);
    const described = await t.run(['describe', 'worker']);
    expect(described.stdout).toMatch(/stop_timeout: 3s$/m);
    expect(described.stdout).toMatch(/memory_limit: 20Mi$/m);
    expect(described.stdout).not.toMatch(/20971520/);
  });

  it('-l selects services by label for get, restart, logs and delete', async () => {
    await apply(service('web', CHATTY, '  labels = { tier = "front" }') + service('db', FOREVER, '  labels = { tier = "back" }'));
    const web = await t.waitForInstance('web', running, 'running');
    const db = await t.waitForInstance('db', running, 'running');
    expect((await t.get(['-l', 'tier=front'])).map((v) => v.name)).toEqual(['web']);
    expect((await t.get(['-l', 'tier!=front'])).map((v) => v.name)).toEqual(['db']);
    expect((await t.run(['get', '-l', 'tier=front=x'])).code).toBe(2);
    expect((await t.run(['restart', '-l', 'tier=nothing'])).code).toBe(1);

    expect((await t.run(['restart', '-l', 'tier=front'])).code).toBe(0);
    await t.waitForInstance('web', (v) => running(v) && v.status.pid !== web.status.pid, 'restarted');
    expect((await t.api.list(['db']))[0].status.pid).toBe(db.status.pid);

    const logs = await waitFor(async () => {
      const result = await t.run(['logs', '-l', 'tier=front', '--tail', '1', '--stdout']);
      return /^out \d+/m.test(result.stdout) ? result : undefined;
    }, { what: 'a line of web' });
    expect(logs.stdout.trim().split('\n')).toHaveLength(1);

    expect((await t.run(['delete', '-l', 'tier=front'])).code).toBe(0);
    expect((await t.get()).map((v) => v.name)).toEqual(['db']);
  });

  it('get -w prints one line per change', async () => {
    await apply(service('web', FOREVER));
    const before = await t.waitForInstance('web', running, 'running');
    const watch = follow(['get', '-w']);
    await waitFor(() => /^web\s+running/m.test(watch.output()), { what: 'the first listing' });
    expect((await t.run(['restart', 'web'])).code).toBe(0);
    const after = await t.waitForInstance('web', (v) => running(v) && v.status.pid !== before.status.pid, 'restarted');
    await waitFor(() => new RegExp(`^web\\s+running\\s+true\\s+\\d+\\s+${after.status.pid}\\s`, 'm').test(watch.output()), { what: 'the new pid in the watch' });
    const lines = watch.output().trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATE/);
    expect(lines.filter((line) => line.startsWith('NAME'))).toHaveLength(1);
    // Events that change nothing in the row (probes, metrics) print nothing: the old pid's row appears once.
    expect(lines.filter((line) => new RegExp(`^web\\s+running\\s+true\\s+0\\s+${before.status.pid}\\s`).test(line))).toHaveLength(1);
  });
});

describe('logs as people use them', () => {
  it('--tail N is N lines per instance across both streams; no name means every service', async () => {
    const five = fixtureCommand('chatty.mjs', '5', '10');
    await apply(service('a', five, '  restart_policy = "never"') + service('b', five, '  restart_policy = "never"'));
    for (const name of ['a', 'b']) await t.waitForInstance(name, (v) => v.status.state === 'completed', 'completed');
    const result = await t.run(['logs', '--tail', '3']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split('\n');
    for (const name of ['a', 'b']) {
      const mine = lines.filter((line) => line.startsWith(`[${name}] `));
      expect(mine).toHaveLength(3);
      expect(mine.map((line) => line.replace(/\.+$/, ''))).toEqual([`[${name}] err 2`, `[${name}] err 3`, `[${name}] err 4`]);
    }
  });

  it('follows every service without a name; --timestamps stamps the lines read while following', async () => {
    await apply(service('a', CHATTY) + service('b', CHATTY));
    for (const name of ['a', 'b']) await t.waitForInstance(name, running, 'running');
    const logs = follow(['logs', '-f', '--tail', '0', '--timestamps']);
    const stamped = (name: string) => new RegExp(`^\\[${name}\\] \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z (out|err) \\d+`, 'm');
    await waitFor(() => stamped('a').test(logs.output()) && stamped('b').test(logs.output()), { what: 'stamped lines of a and b' });
    const times = logs.output().trim().split('\n').map((line) => line.split(' ')[1]);
    expect([...times].sort()).toEqual(times);
  });
});
