import { promises as fs } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HxeEvent } from '../../src/core/types.js';
import { createTestHome, type TestHome } from '../helpers/hxe.js';
import { fixtureCommand, isPidAlive } from '../helpers/processes.js';

let t: TestHome;
beforeEach(async () => { t = await createTestHome(); });
afterEach(async () => { await t.cleanup(); });

/** An HCL service block; `body` holds HCL lines, `command` is quoted for HCL. */
const service = (name: string, command: string, body = '') => `service "${name}" {\n  command = ${JSON.stringify(command)}\n${body}\n}\n`;

async function apply(text: string) {
  const result = await t.run(['apply', '-f', await t.write('services.hcl', text)]);
  expect(result.code, result.stderr).toBe(0);
}

/** A dependency restarted while unhealthy keeps retrying quickly (never a crashloop's long wait). */
const RETRY_FAST = '  backoff {\n    initial = "100ms"\n    max = "200ms"\n  }\n  crashloop {\n    max_restarts = 1000\n  }';

/** Index in the agent's ordered event log of the last event matching, or -1. */
function lastIndex(events: HxeEvent[], service: string, type: string): number {
  return events.findLastIndex((e) => e.service === service && e.type === type);
}

describe('every start waits for depends_on', () => {
  it('holds `hxe restart` and an apply that changes a dependent until its dependency is healthy', async () => {
    const flag = path.join(t.dir, 'db-ready');
    const db = service('db', fixtureCommand('forever.mjs'),
      `  health_check {\n    type = "exec"\n    command = "test -f ${flag}"\n    interval = "100ms"\n    retries = 1\n  }\n${RETRY_FAST}`);
    const web = (value: string) => service('web', fixtureCommand('forever.mjs'), `  depends_on = ["db"]\n  environment = {\n    V = "${value}"\n  }`);
    await apply(db + web('1'));
    await t.waitForInstance('web', (v) => v.status.state === 'pending' && v.status.message === 'waiting for db', 'waiting for db');

    // Pending: a restart and a new generation are taken, and the instance stays pending.
    expect((await t.run(['restart', 'web'])).code).toBe(0);
    await apply(db + web('2'));
    const held = await t.waitForInstance('web', (v) => v.status.observedGeneration === 2, 'generation 2 taken');
    expect(held.status).toMatchObject({ state: 'pending', pid: null, message: 'waiting for db' });
    await fs.writeFile(flag, '');
    const first = await t.waitForInstance('web', (v) => v.status.state === 'running', 'web running');
    let events = await t.api.events(undefined, 2000);
    expect(lastIndex(events, 'db', 'Healthy')).toBeGreaterThanOrEqual(0);
    expect(events.findIndex((e) => e.service === 'web' && e.type === 'Starting')).toBeGreaterThan(lastIndex(events, 'db', 'Healthy'));

    // Running: the dependency is no longer ready; a restart stops it and holds it pending.
    await fs.rm(flag);
    await t.waitForInstance('db', (v) => !v.status.ready, 'db not ready');
    expect((await t.run(['restart', 'web'])).code).toBe(0);
    const stopped = await t.waitForInstance('web', (v) => v.status.state === 'pending', 'web held pending');
    expect(stopped.status.message).toBe('waiting for db');
    expect(isPidAlive(first.status.pid!)).toBe(false);
    await apply(db + web('3'));
    await t.waitForInstance('web', (v) => v.status.observedGeneration === 3, 'generation 3 taken');
    expect((await t.api.list(['web']))[0].status).toMatchObject({ state: 'pending', pid: null });
    await fs.writeFile(flag, '');
    const second = await t.waitForInstance('web', (v) => v.status.state === 'running', 'web running again');
    events = await t.api.events(undefined, 2000);
    expect(lastIndex(events, 'web', 'Starting')).toBeGreaterThan(lastIndex(events, 'db', 'Healthy'));
    const environ = await fs.readFile(`/proc/${second.status.pid}/environ`, 'utf8');
    expect(environ.split('\0')).toContain('V=3');
  });

  it('holds a running dependent whose spec changed while its dependency is not ready', async () => {
    const flag = path.join(t.dir, 'db-ready');
    await fs.writeFile(flag, '');
    const db = service('db', fixtureCommand('forever.mjs'),
      `  health_check {\n    type = "exec"\n    command = "test -f ${flag}"\n    interval = "100ms"\n    retries = 1\n  }\n${RETRY_FAST}`);
    const web = (args: string) => service('web', fixtureCommand('forever.mjs'), `  depends_on = ["db"]\n  args = ["${args}"]`);
    await apply(db + web('a'));
    const running = await t.waitForInstance('web', (v) => v.status.state === 'running', 'web running');
    await fs.rm(flag);
    await t.waitForInstance('db', (v) => !v.status.ready, 'db not ready');
    await apply(db + web('b'));
    const held = await t.waitForInstance('web', (v) => v.status.state === 'pending' && v.status.observedGeneration === 2, 'web held');
    expect(held.status.message).toBe('waiting for db');
    expect(isPidAlive(running.status.pid!)).toBe(false);
    await fs.writeFile(flag, '');
    await t.waitForInstance('web', (v) => v.status.state === 'running', 'web running again');
    const events = await t.api.events(undefined, 2000);
    expect(lastIndex(events, 'web', 'Starting')).toBeGreaterThan(lastIndex(events, 'db', 'Healthy'));
  });
});

describe('fix forward', () => {
  it('runs a failed service once an apply corrects its command or its env:, without `hxe start`', async () => {
    await apply(service('ghost', 'no-such-command-hxe-test')
      + service('secret', fixtureCommand('forever.mjs'), '  environment = {\n    TOKEN = "env:HXE_TEST_UNSET_VARIABLE"\n  }'));
    expect((await t.waitForInstance('ghost', (v) => v.status.state === 'failed', 'ghost failed')).status.message).toMatch(/not found/);
    expect((await t.waitForInstance('secret', (v) => v.status.state === 'failed', 'secret failed')).status.message)
      .toMatch(/HXE_TEST_UNSET_VARIABLE is not set/);
    await apply(service('ghost', fixtureCommand('forever.mjs'))
      + service('secret', fixtureCommand('forever.mjs'), '  environment = {\n    TOKEN = "literal"\n  }'));
    for (const name of ['ghost', 'secret']) {
      const view = await t.waitForInstance(name, (v) => v.status.state === 'running', `${name} running`);
      expect(view.status.observedGeneration).toBe(2);
    }
  });

  it('starts a crash-looping service again at once when an apply corrects it', async () => {
    const body = '  backoff {\n    initial = "20ms"\n    max = "10m"\n  }\n  crashloop {\n    max_restarts = 2\n    window = "10m"\n  }';
    await apply(service('loop', fixtureCommand('crash-after.mjs', '10', '1'), body));
    const looping = await t.waitForInstance('loop', (v) => v.status.state === 'crashloop', 'crashloop');
    expect(looping.status.message).toMatch(/next try in 10m/);
    await apply(service('loop', fixtureCommand('forever.mjs'), body));
    const view = await t.waitForInstance('loop', (v) => v.status.state === 'running', 'running');
    expect(view.status).toMatchObject({ observedGeneration: 2, restarts: looping.status.restarts, message: 'running' });
  });
});

describe('memory watchdog restarts are failures', () => {
  it('counts them, backs off, enters crashloop and shows them on /metrics', async () => {
    const config = await t.write('config/agent.hcl', 'agent {\n  cgroups = "never"\n  metrics {\n    interval = "200ms"\n    retention = "1m"\n  }\n}\n');
    expect((await t.run(['agent', 'start', '--config', path.dirname(config)])).code).toBe(0);
    await apply(service('hungry', fixtureCommand('grow-memory.mjs', '80'),
      '  resources {\n    memory_limit = "50Mi"\n  }\n  backoff {\n    initial = "300ms"\n    max = "10m"\n  }\n  crashloop {\n    max_restarts = 3\n    window = "10m"\n  }'));
    const backoff = await t.waitForInstance('hungry', (v) => v.status.state === 'backoff', 'backoff');
    expect(backoff.status.message).toMatch(/^memory [\d.]+Mi over its limit of 50\.0Mi; restarting in (300ms|600ms|1.2s)$/);
    await t.waitForInstance('hungry', (v) => v.status.restarts >= 1, 'one restart counted');
    const scraped = /^hxe_service_restarts_total\{service="hungry",instance="hungry"\} (\d+)$/m;
    const first = Number(scraped.exec(await scrape())?.[1]);
    expect(first).toBeGreaterThanOrEqual(1);
    const looping = await t.waitForInstance('hungry', (v) => v.status.state === 'crashloop', 'crashloop', 40_000);
    expect(looping.status.message).toMatch(/^crashloop: 3 restarts in 10m; next try in 10m \(memory [\d.]+Mi over its limit of 50\.0Mi\)$/);
    expect(looping.status.restarts).toBe(3);
    expect(Number(scraped.exec(await scrape())?.[1])).toBe(3);
    const events = await t.api.events('hungry', 500);
    expect(events.filter((e) => e.type === 'MemoryLimitExceeded')).toHaveLength(4);
  });
});

describe('exec health checks', () => {
  it("run with the service's environment (env_file, environment, HXE_*) and working directory", async () => {
    const work = path.join(t.dir, 'work');
    await fs.mkdir(work);
    await fs.writeFile(path.join(work, 'marker'), '');
    const envFile = await t.write('checked.env', 'FROM_FILE=f\n');
    const check = '/bin/sh -c \'test "$FROM_SPEC" = s && test "$FROM_FILE" = f && test "$HXE_SERVICE" = checked && test -f marker\'';
    await apply(service('checked', fixtureCommand('forever.mjs'), [
      `  working_dir = ${JSON.stringify(work)}`,
      `  env_file = ${JSON.stringify(envFile)}`,
      '  environment = {\n    FROM_SPEC = "s"\n  }',
      `  health_check {\n    type = "exec"\n    command = ${JSON.stringify(check)}\n    interval = "100ms"\n  }`,
    ].join('\n')));
    const view = await t.waitForInstance('checked', (v) => v.status.state === 'healthy', 'healthy');
    expect(view.status.lastProbe?.ok).toBe(true);
  });
});

/** GET /metrics over the agent's socket. */
function scrape(): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ socketPath: path.join(t.home, 'agent.sock'), path: '/metrics' }, (res) => {
      let body = '';
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}
