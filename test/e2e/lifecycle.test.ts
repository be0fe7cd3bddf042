import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestHome, type TestHome } from '../helpers/hxe.js';
import { fixtureCommand, freePort, isPidAlive, waitFor } from '../helpers/processes.js';

let t: TestHome;
beforeEach(async () => { t = await createTestHome(); });
afterEach(async () => { await t.cleanup(); });

/** An HCL service block; `body` holds HCL lines, `command` is quoted for HCL. */
const service = (name: string, command: string, body = '') => `service "${name}" {\n  command = ${JSON.stringify(command)}\n${body}\n}\n`;

async function apply(text: string, extra: string[] = []) {
  const file = await t.write('services.hcl', text);
  const result = await t.run(['apply', '-f', file, ...extra]);
  expect(result.code, result.stderr).toBe(0);
  return result;
}

describe('lifecycle, end to end with real processes', () => {
  it('restarts a crashing service with backoff, then declares a crashloop', async () => {
    await apply(service('crasher', fixtureCommand('crash-after.mjs', '30', '1'), `
  backoff {
    initial = "50ms"
    multiplier = 2
    max = "5s"
  }
  crashloop {
    max_restarts = 3
    window = "1m"
  }`));
    await t.waitForInstance('crasher', (v) => v.status.state === 'backoff', 'backoff');
    const view = await t.waitForInstance('crasher', (v) => v.status.state === 'crashloop', 'crashloop');
    expect(view.status.restarts).toBeGreaterThanOrEqual(3);
    expect(view.status.exitCode).toBe(1);
    expect(view.status.message).toMatch(/crashloop/);
  });

  it('gives up (failed) after the crashloop limit when give_up is set', async () => {
    await apply(service('quitter', fixtureCommand('crash-after.mjs', '10', '2'), `
  backoff {
    initial = "0s"
  }
  crashloop {
    max_restarts = 2
    window = "1m"
    give_up = true
  }`));
    const view = await t.waitForInstance('quitter', (v) => v.status.state === 'failed', 'failed');
    expect(view.status.exitCode).toBe(2);
  });

  it('follows restart policies: on-failure exit 0 completes, never with a failure fails, always restarts', async () => {
    await apply([
      service('job', fixtureCommand('exit-with.mjs', '0'), '  restart_policy = "on-failure"'),
      service('once', fixtureCommand('exit-with.mjs', '3'), '  restart_policy = "never"'),
      service('again', fixtureCommand('exit-with.mjs', '0'), '  backoff {\n    initial = "100ms"\n  }'),
    ].join('\n'));
    expect((await t.waitForInstance('job', (v) => v.status.state === 'completed', 'completed')).status.exitCode).toBe(0);
    expect((await t.waitForInstance('once', (v) => v.status.state === 'failed', 'failed')).status.exitCode).toBe(3);
    await t.waitForInstance('again', (v) => v.status.restarts >= 2, 'restarted twice');
  });

  it('fails a command that cannot be spawned, saying why', async () => {
    await apply(service('ghost', 'no-such-command-hxe-test --flag'));
    const view = await t.waitForInstance('ghost', (v) => v.status.state === 'failed', 'failed');
    expect(view.status.message).toMatch(/not found/);
    expect(view.status.message).toContain('no-such-command-hxe-test');
  });

  it('gates a dependent on http, tcp and exec health checks', async () => {
    const httpPort = await freePort();
    const tcpPort = await freePort();
    const flag = path.join(t.dir, 'exec-ok');
    await apply([
      service('api', fixtureCommand('ready-after.mjs', '--http', String(httpPort), '600'),
        `  health_check {\n    type = "http"\n    url = "http://127.0.0.1:${httpPort}/health"\n    interval = "100ms"\n    start_period = "10s"\n  }`),
      service('cache', fixtureCommand('ready-after.mjs', '--tcp', String(tcpPort), '300'),
        `  health_check {\n    type = "tcp"\n    port = ${tcpPort}\n    interval = "100ms"\n    start_period = "10s"\n  }`),
      service('queue', fixtureCommand('forever.mjs'),
        `  health_check {\n    type = "exec"\n    command = "test -f ${flag}"\n    interval = "100ms"\n    start_period = "1m"\n  }`),
      service('web', fixtureCommand('forever.mjs'), '  depends_on = ["api", "cache", "queue"]'),
    ].join('\n'));
    const waiting = await t.waitForInstance('web', (v) => v.status.state === 'pending' && /queue/.test(v.status.message), 'waiting for queue');
    expect(waiting.status.message).toMatch(/^waiting for .*queue/);
    await t.waitForInstance('api', (v) => v.status.state === 'healthy', 'api healthy');
    await t.waitForInstance('cache', (v) => v.status.state === 'healthy', 'cache healthy');
    expect((await t.api.list(['web']))[0].status.state).toBe('pending');
    await fs.writeFile(flag, '');
    const web = await t.waitForInstance('web', (v) => v.status.state === 'running', 'web running');
    expect(web.status.ready).toBe(true);
  });

  it('restarts an unhealthy service under its policy', async () => {
    const flag = path.join(t.dir, 'healthy');
    await fs.writeFile(flag, '');
    await apply(service('flaky', fixtureCommand('forever.mjs'),
      `  health_check {\n    type = "exec"\n    command = "test -f ${flag}"\n    interval = "100ms"\n    retries = 2\n  }\n  backoff {\n    initial = "100ms"\n  }`));
    const healthy = await t.waitForInstance('flaky', (v) => v.status.state === 'healthy', 'healthy');
    await fs.rm(flag);
    await t.waitForInstance('flaky', (v) => v.status.restarts >= 1 || v.status.state === 'unhealthy', 'unhealthy');
    await fs.writeFile(flag, '');
    const again = await t.waitForInstance('flaky', (v) => v.status.state === 'healthy' && v.status.pid !== healthy.status.pid, 'healthy again');
    expect(again.status.restarts).toBeGreaterThanOrEqual(1);
    expect(isPidAlive(healthy.status.pid!)).toBe(false);
  });

  it('restarts only the service whose spec changed, and `hxe restart` only the one named', async () => {
    const two = (command: string) => service('a', command) + service('b', 'sleep 1001');
    await apply(two('sleep 1000'));
    const a1 = await t.waitForInstance('a', (v) => v.status.state === 'running', 'a running');
    const b1 = await t.waitForInstance('b', (v) => v.status.state === 'running', 'b running');
    await apply(two('sleep 1002'));
    const a2 = await t.waitForInstance('a', (v) => v.status.state === 'running' && v.status.pid !== a1.status.pid, 'a restarted');
    expect(a2.status.observedGeneration).toBe(2);
    expect((await t.api.list(['b']))[0].status.pid).toBe(b1.status.pid);
    expect((await t.run(['restart', 'b'])).code).toBe(0);
    await t.waitForInstance('b', (v) => v.status.state === 'running' && v.status.pid !== b1.status.pid, 'b restarted');
    expect((await t.api.list(['a']))[0].status.pid).toBe(a2.status.pid);
  });

  it('scales instances up and down, and rolls a change one instance at a time', async () => {
    const web = (instances: number, command: string) => service('web', command, `  instances = ${instances}`);
    await apply(web(3, 'sleep 1000'));
    for (const name of ['web-0', 'web-1', 'web-2']) {
      const view = await t.waitForInstance(name, (v) => v.status.state === 'running', 'running');
      const env = await fs.readFile(`/proc/${view.status.pid}/environ`, 'utf8');
      expect(env).toContain(`HXE_INSTANCE=${name.slice(-1)}`);
    }
    await apply(web(2, 'sleep 1000'));
    await waitFor(async () => (await t.api.list(['web'])).length === 2, { what: 'scaled down to 2' });
    const before = await t.api.list(['web']);
    await apply(web(2, 'sleep 1001'));
    for (const view of before) {
      await t.waitForInstance(view.name, (v) => v.status.state === 'running' && v.status.pid !== view.status.pid, 'rolled');
    }
    const events = await t.api.events('web', 500);
    const stopOf1 = events.findIndex((e) => e.service === 'web-1' && e.type === 'Stopping' && e.generation === 3);
    const runningOf0 = events.findIndex((e) => e.service === 'web-0' && e.type === 'Running' && e.generation === 3);
    expect(runningOf0).toBeGreaterThanOrEqual(0);
    expect(stopOf1).toBeGreaterThan(runningOf0);
  });

  it('stop escalates to SIGKILL after stop_timeout and leaves nothing of the group', async () => {
    await apply(service('stubborn', fixtureCommand('ignore-sigterm.mjs'), '  stop_timeout = "500ms"'));
    const view = await t.waitForInstance('stubborn', (v) => v.status.state === 'running', 'running');
    const grandchild = Number(await waitFor(async () =>
      /grandchild (\d+)/.exec(await fs.readFile(path.join(t.home, 'logs', 'stubborn.out.log'), 'utf8'))?.[1], { what: 'grandchild pid' }));
    expect((await t.run(['stop', 'stubborn'])).code).toBe(0);
    await t.waitForInstance('stubborn', (v) => v.status.state === 'stopping', 'stopping', 5_000).catch(() => undefined);
    await t.waitForInstance('stubborn', (v) => v.status.state === 'stopped', 'stopped');
    expect(isPidAlive(view.status.pid!)).toBe(false);
    expect(isPidAlive(grandchild)).toBe(false);
    expect((await t.run(['start', 'stubborn'])).code).toBe(0);
    await t.waitForInstance('stubborn', (v) => v.status.state === 'running', 'running again');
  });

  it('keeps a disabled service stopped', async () => {
    await apply(service('off', 'sleep 1000', '  disabled = true'));
    await t.waitForInstance('off', (v) => v.status.state === 'stopped', 'stopped');
  });

  it('tails logs, and a variable removed from the manifest is gone at the next start', async () => {
    const env = (vars: string) => service('env', fixtureCommand('print-env.mjs', 'KEEP', 'DROP'), `  environment = {\n${vars}\n  }`);
    await apply(env('    KEEP = "k"\n    DROP = "d"'));
    await waitFor(async () => (await t.run(['logs', 'env'])).stdout.includes('"DROP":"d"'), { what: 'first output' });
    await apply(env('    KEEP = "k2"'));
    await waitFor(async () => (await t.run(['logs', 'env', '--tail', '1'])).stdout.includes('"KEEP":"k2"'), { what: 'restarted output' });
    const last = (await t.run(['logs', 'env', '--tail', '1'])).stdout.trim().split('\n');
    expect(last).toHaveLength(1);
    expect(JSON.parse(last[0]).env).toEqual({ KEEP: 'k2', DROP: null });
  });

  it('apply --wait exits 1 naming the services that did not get ready', async () => {
    const port = await freePort();
    const result = await t.run(['apply', '-f', await t.write('s.hcl', service('never', 'sleep 1000',
      `  health_check {\n    type = "tcp"\n    port = ${port}\n    interval = "100ms"\n  }`)), '--wait', '--timeout', '1500ms']);
    expect(result.code).toBe(1);
    // Which not-ready state it is in at the deadline (running, unhealthy, backoff) depends on timing.
    expect(result.stdout).toMatch(/never: not ready \((running|unhealthy|backoff)/);
  });
});
