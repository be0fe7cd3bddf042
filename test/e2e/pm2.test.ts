import { promises as fs } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestHome, type TestHome } from '../helpers/hxe.js';
import { FIXTURES, isPidAlive, waitFor } from '../helpers/processes.js';

// In the shape of PM2's own examples: a cluster app on every CPU, an app without a name, env_production, a deploy section.
const ECOSYSTEM = `module.exports = {
  apps: [{
    name: 'API',
    script: './app.js',
    instances: 'max',
    exec_mode: 'cluster',
    env: { NODE_ENV: 'development', PORT: 3000 },
    env_production: { NODE_ENV: 'production' },
    out_file: './logs/out.log',
  }, {
    script: 'worker.js',
    max_restarts: 10,
    min_uptime: '5s',
  }],
  deploy: { production: { user: 'node', host: 'example.com', ref: 'origin/main', repo: 'git@example.com:x.git', path: '/srv' } },
};
`;

const CPUS = availableParallelism();
const API_INSTANCES = CPUS > 1 ? Array.from({ length: CPUS }, (_, i) => `api-${i}`) : ['api'];

let t: TestHome;
beforeEach(async () => {
  t = await createTestHome();
  await t.write('package.json', '{ "type": "commonjs" }');
  const app = await fs.readFile(path.join(FIXTURES, 'pm2', 'app.js'), 'utf8');
  await t.write('app.js', app);
  await t.write('worker.js', app);
});
afterEach(async () => { await t.cleanup(); });

/** The environment the process really got. */
async function environOf(pid: number): Promise<Record<string, string>> {
  const raw = await fs.readFile(`/proc/${pid}/environ`, 'utf8');
  return Object.fromEntries(raw.split('\0').filter(Boolean).map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
}

const running = (name: string) => t.waitForInstance(name, (v) => v.status.state === 'running' && v.status.pid !== null, 'running');

describe('PM2 ecosystem files, end to end', () => {
  it('applies ecosystem.config.js --env production: one instance per CPU with NODE_APP_INSTANCE, unmapped fields warned', async () => {
    const file = await t.write('ecosystem.config.js', ECOSYSTEM);
    const applied = await t.run(['apply', '-f', file, '--env', 'production']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toMatch(/warning: \S*\/ecosystem\.config\.js: apps\[0\] "api": out_file: not mapped/);
    expect(applied.stderr).toMatch(/warning: \S*\/ecosystem\.config\.js: deploy: not mapped/);
    expect(applied.stderr).toMatch(/apps\[1\] "worker": name: missing, "worker" taken from the script's name/);

    for (const [index, name] of API_INSTANCES.entries()) {
      const view = await running(name);
      const env = await environOf(view.status.pid!);
      expect([env.NODE_APP_INSTANCE, env.NODE_ENV, env.PORT]).toEqual([String(index), 'production', '3000']);
    }
    await running('worker');
    expect((await t.get()).map((v) => v.name).sort()).toEqual([...API_INSTANCES, 'worker'].sort());
  });

  it('convert prints a manifest whose apply changes nothing but the source', async () => {
    const file = await t.write('ecosystem.config.js', ECOSYSTEM);
    expect((await t.run(['apply', '-f', file, '--env', 'production'])).code).toBe(0);
    const pids = await Promise.all([...API_INSTANCES, 'worker'].map(async (name) => (await running(name)).status.pid));

    const converted = await t.run(['convert', file, '--env', 'production']);
    expect(converted.code, converted.stderr).toBe(0);
    expect(converted.stdout).toContain('service "api" {');
    const manifest = await t.write('services.hcl', converted.stdout);
    const diff = await t.run(['diff', '-f', manifest]);
    expect(diff.code, diff.stdout).toBe(0);
    const applied = await t.run(['apply', '-f', manifest]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('No changes');

    const views = await t.get();
    expect(views.every((v) => v.metadata.generation === 1 && v.metadata.source === manifest)).toBe(true);
    expect(views.map((v) => v.status.pid).sort()).toEqual([...pids].sort());
    const toml = await t.run(['convert', file, '--env', 'production', '-o', 'toml']);
    expect(toml.stdout).toContain('[service.api]');
  });
});

describe('PM2 ecosystem files through the built CLI', () => {
  it('validates YAML and JSON5 forms, .sh and .py interpreters included', async () => {
    const files = ['process.yml', 'ecosystem.json5'].map((name) => path.join(FIXTURES, 'pm2', name));
    const result = await t.run(['validate', '-f', ...files, '-o', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const specs = JSON.parse(result.stdout) as { name: string; spec: { command: string } }[];
    expect(specs.map((s) => [s.name, s.spec.command.split(' ')[0]])).toEqual([['py-job', 'python3'], ['tick', 'bash'], ['web', 'node']]);
    expect(result.stderr).toMatch(/ecosystem\.json5: apps\[1\] "py-job": cron_restart: not mapped/);
  });
});

describe('hxe run, end to end', () => {
  it('stores and starts a service from a command line, shown in get, printable as a manifest, removed by delete', async () => {
    const result = await t.run(['run', 'echoer', '-i', '2', '--env', 'GREETING=hi', '--', 'node', 'app.js', '--flag']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('+ echoer');
    const first = await running('echoer-0');
    await running('echoer-1');
    expect(first.metadata.source).toBe('hxe run echoer');
    expect(first.spec.command).toBe('node app.js --flag');
    const env = await environOf(first.status.pid!);
    expect([env.GREETING, env.HXE_INSTANCE]).toEqual(['hi', '0']);

    const again = await t.run(['run', 'echoer', '-i', '2', '--env', 'GREETING=hi', '--', 'node', 'app.js', '--flag']);
    expect(again.stdout).toContain('No changes');
    const changed = await t.run(['run', 'echoer', '-i', '2', '--env', 'GREETING=hello', '--dry-run', '--', 'node', 'app.js', '--flag']);
    expect(changed.stdout).toMatch(/~ echoer \(generation 1 → 2, restarts echoer-0, echoer-1\)/);
    expect(changed.stdout).toContain('environment.GREETING: (redacted) changed');
    expect(changed.stdout).toContain('dry run');
    const manifest = await t.run(['run', 'echoer', '-i', '2', '--env', 'GREETING=hi', '-o', 'hcl', '--', 'node', 'app.js', '--flag']);
    const file = await t.write('echoer.hcl', manifest.stdout);
    const diff = await t.run(['diff', '-f', file]);
    expect(diff.code, diff.stdout).toBe(0);

    expect((await t.run(['delete', 'echoer'])).code).toBe(0);
    await waitFor(async () => ((await t.get()).length === 0 ? true : undefined), { what: 'echoer gone from get' });
    await waitFor(() => (isPidAlive(first.status.pid!) ? undefined : true), { what: 'echoer-0 stopped' });
  });

  it('refuses a bad command line with exit 2 and stores nothing', async () => {
    const result = await t.run(['run', 'Bad_Name', '--env', 'NOPE', '--', 'node', 'app.js']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--env: expected KEY=VALUE/);
    expect(result.stderr).toMatch(/invalid name/);
    expect(await t.get()).toEqual([]);
  });
});
