import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../../src/core/types.js';
import { loadManifests } from '../../src/manifest/load.js';
import { loadJsConfig } from '../../src/manifest/pm2/load-js-config.js';
import { writeManifest } from '../../src/manifest/write-manifest.js';
import { manifestError, withTempDir, writeFiles } from './helpers.js';

const CPUS = availableParallelism();

/** Loads `apps` written as ecosystem.json in a temp dir; `check` sees the specs by name, the warnings and the dir. */
async function loadApps(apps: unknown[], check: (specs: Record<string, ServiceSpec>, warnings: string[], dir: string) => void, pm2Env?: string) {
  await withTempDir(async (dir) => {
    await writeFiles(dir, {
      'ecosystem.json': JSON.stringify({ apps }), 'app.js': '', 'run.sh': '', 'job.py': '', server: 'require("http")', tool: '#!/bin/sh\n', 'service-worker/index.js': '',
    });
    const result = await loadManifests([join(dir, 'ecosystem.json')], { pm2Env });
    check(Object.fromEntries(result.services.map((service) => [service.name, service.spec])), result.warnings, dir);
  });
}

// Each PM2 field (with script: "app.js" added when absent) → the part of the spec it sets.
const FIELDS: [string, Record<string, unknown>, (dir: string) => Partial<ServiceSpec>][] = [
  ['script .js runs with node, resolved against the file\'s folder', {}, (dir) => ({ command: `node ${dir}/app.js`, working_dir: dir })],
  ['script .sh runs with bash', { script: 'run.sh' }, (dir) => ({ command: `bash ${dir}/run.sh` })],
  ['script .py runs with python3, interpreter_args before it', { script: 'job.py', interpreter_args: '-u' }, (dir) => ({ command: `python3 -u ${dir}/job.py` })],
  ['interpreter and node_args', { interpreter: '/usr/bin/node', node_args: ['--max-old-space-size=128'] }, (dir) => ({ command: `/usr/bin/node --max-old-space-size=128 ${dir}/app.js` })],
  ['exec_interpreter', { exec_interpreter: 'bun' }, (dir) => ({ command: `bun ${dir}/app.js` })],
  ['interpreter none runs the script itself', { script: './run.sh', interpreter: 'none' }, (dir) => ({ command: `${dir}/run.sh` })],
  ['a script of no known extension runs with node, as in PM2', { script: 'server' }, (dir) => ({ command: `node ${dir}/server` })],
  ['one starting with #! runs itself', { script: 'tool' }, (dir) => ({ command: `${dir}/tool` })],
  ['a directory runs with node', { script: './service-worker/' }, (dir) => ({ command: `node ${dir}/service-worker` })],
  ['watch as a string', { watch: '.' }, (dir) => ({ watch: { paths: [dir], ignore: [], debounce: 500 } })],
  ['a bare program found on PATH', { script: 'npm', args: 'run start' }, () => ({ command: 'npm', args: ['run', 'start'] })],
  ['args as a string, split by shell quoting', { args: "--name 'a b'" }, () => ({ args: ['--name', 'a b'] })],
  ['args as a list', { args: ['-p', 3000] }, () => ({ args: ['-p', '3000'] })],
  ['cwd, relative to the file; script relative to cwd', { cwd: 'sub', script: 'x.js' }, (dir) => ({ working_dir: `${dir}/sub`, command: `node ${dir}/sub/x.js` })],
  ['instances as a number', { instances: 3 }, () => ({ instances: 3 })],
  ['instances as a string', { instances: '4' }, () => ({ instances: 4 })],
  ['instances "max"', { instances: 'max' }, () => ({ instances: CPUS })],
  ['instances 0', { instances: 0 }, () => ({ instances: CPUS })],
  ['instances -1: one per CPU (SPEC)', { instances: -1 }, () => ({ instances: CPUS })],
  ['instances -2: all CPUs but two', { instances: -2 }, () => ({ instances: Math.max(1, CPUS - 2) })],
  ['env, with NODE_APP_INSTANCE set to the instance index', { env: { PORT: 3000, DEBUG: false } },
    () => ({ environment: { DEBUG: 'false', NODE_APP_INSTANCE: 'env:HXE_INSTANCE', PORT: '3000' } })],
  ['instance_var names the index variable', { instance_var: 'INSTANCE_ID' }, () => ({ environment: { INSTANCE_ID: 'env:HXE_INSTANCE' } })],
  ['max_memory_restart "260M" is 260 MiB', { max_memory_restart: '260M' }, () => ({ resources: { cpu_limit: null, memory_limit: 260 * 1024 ** 2 } })],
  ['max_memory_restart "1G" and bytes', { max_memory_restart: 1048576 }, () => ({ resources: { cpu_limit: null, memory_limit: 1024 ** 2 } })],
  ['autorestart false never restarts', { autorestart: false }, () => ({ restart_policy: 'never' })],
  ['stop_exit_codes [0] restarts on failure only', { stop_exit_codes: [0] }, () => ({ restart_policy: 'on-failure' })],
  ['max_restarts and min_uptime make a crashloop that gives up', { max_restarts: 10, min_uptime: '5s' },
    () => ({ crashloop: { max_restarts: 10, window: 50_000, give_up: true } })],
  ['min_uptime alone counts PM2\'s 16 restarts', { min_uptime: 2000 }, () => ({ crashloop: { max_restarts: 16, window: 32_000, give_up: true } })],
  ['restart_delay is a fixed delay', { restart_delay: 4000 }, () => ({ backoff: { initial: 4000, multiplier: 1, max: 4000, reset_after: 60_000 } })],
  ['exp_backoff_restart_delay is PM2\'s backoff', { exp_backoff_restart_delay: 100 },
    () => ({ backoff: { initial: 100, multiplier: 1.5, max: 15_000, reset_after: 30_000 } })],
  ['kill_timeout, after SIGINT as PM2 sends', { kill_timeout: 3000 }, () => ({ stop_signal: 'SIGINT', stop_timeout: 3000 })],
  ['watch true watches the working directory', { watch: true, ignore_watch: ['node_modules'], watch_delay: 1000 },
    (dir) => ({ watch: { paths: [dir], ignore: ['node_modules'], debounce: 1000 } })],
  ['watch paths, relative to cwd', { watch: ['src', 'config'] }, (dir) => ({ watch: { paths: [`${dir}/src`, `${dir}/config`], ignore: [], debounce: 500 } })],
  ['autostart false is disabled', { autostart: false }, () => ({ disabled: true })],
  ['namespace is a label', { namespace: 'shop' }, () => ({ labels: { namespace: 'shop' } })],
];

describe('PM2 ecosystem: each field', () => {
  it.each(FIELDS)('%s', async (_what, fields, expected) => {
    await loadApps([{ name: 'app', script: 'app.js', ...fields }], (specs, _warnings, dir) => {
      expect(specs.app).toMatchObject(expected(dir));
    });
  });

  it('applies env_NAME over env with --env NAME, and only then', async () => {
    const app = { name: 'api', script: 'app.js', env: { NODE_ENV: 'development', PORT: '1' }, env_production: { NODE_ENV: 'production' } };
    await loadApps([app], (specs, warnings) => {
      expect(specs.api.environment).toMatchObject({ NODE_ENV: 'production', PORT: '1' });
      expect(warnings).toEqual([]);
    }, 'production');
    await loadApps([app], (specs) => expect(specs.api.environment.NODE_ENV).toBe('development'));
    await loadApps([app], (_specs, warnings) => expect(warnings.join('\n')).toMatch(/--env staging: no app has env_staging/), 'staging');
  });

  it('names: DNS-1123, and from the script when missing (with a warning each)', async () => {
    await loadApps([{ name: 'HTTP API.v2', script: 'app.js' }, { script: 'job.py' }], (specs, warnings) => {
      expect(Object.keys(specs).sort()).toEqual(['http-api-v2', 'job']);
      expect(warnings.join('\n')).toMatch(/apps\[0\] "http-api-v2": name: "HTTP API.v2" is "http-api-v2"/);
      expect(warnings.join('\n')).toMatch(/apps\[1\] "job": name: missing, "job" taken from the script's name/);
    });
  });

  it('names every field it does not map in a warning, with the file and app', async () => {
    const app = { name: 'api', script: 'app.js', out_file: 'o.log', error_file: 'e.log', merge_logs: true, cron_restart: '0 * * * *', wait_ready: true, made_up: 1, stop_exit_codes: [0, 3] };
    await loadApps([app], (_specs, warnings) => {
      for (const field of ['out_file', 'error_file', 'merge_logs', 'cron_restart', 'wait_ready', 'made_up']) {
        expect(warnings).toContainEqual(expect.stringMatching(new RegExp(`ecosystem\\.json: apps\\[0\\] "api": ${field}: not mapped: `)));
      }
      expect(warnings).toContainEqual(expect.stringMatching(/stop_exit_codes: 3 not mapped/));
      expect(warnings).toHaveLength(7);
    });
  });
});

describe('PM2 ecosystem: errors name the file, the app and the PM2 field', () => {
  const ERRORS: [string, unknown[], RegExp][] = [
    ['bad instances', [{ name: 'a', script: 'app.js', instances: 'many' }], /ecosystem\.json: service "a": apps\[0\]\.instances: expected a number of instances/],
    ['bad memory', [{ name: 'a', script: 'app.js', max_memory_restart: '2 bananas' }], /apps\[0\]\.max_memory_restart: expected a size/],
    ['no script', [{ name: 'a' }], /service "a": apps\[0\]\.script: missing/],
    ['neither name nor script', [{ cwd: '.' }], /apps\[0\]\.script: missing/],
    ['a bad env name (by the schema)', [{ name: 'a', script: 'app.js', env: { 'BAD-NAME': 1 } }], /apps\[0\]\.env\.BAD-NAME: invalid variable name/],
    ['a bad kill_timeout', [{ name: 'a', script: 'app.js', kill_timeout: -5 }], /apps\[0\]\.kill_timeout: expected milliseconds/],
    ['two apps, one name (by the set rules)', [{ name: 'a', script: 'app.js' }, { name: 'A', script: 'app.js' }], /"a".*(twice|duplicate|declared)/i],
    ['an app that is not an object', ['app.js'], /apps\[0\]: expected an app object/],
  ];
  it.each(ERRORS)('%s', async (_what, apps, message) => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, { 'ecosystem.json': JSON.stringify({ apps }) });
      const error = await manifestError(loadManifests([join(dir, 'ecosystem.json')]));
      expect(error.message).toMatch(message);
    });
  });
});

describe('PM2 ecosystem: file forms', () => {
  const APP = "{ name: 'api', script: 'app.js', env: { A: '1' } }";
  const FORMS: [string, string][] = [
    ['ecosystem.config.js', `module.exports = { apps: [${APP}] };`],
    ['ecosystem.config.cjs', `console.log('noise on stdout'); module.exports = { apps: [${APP}] };`],
    ['ecosystem.config.mjs', `export default { apps: [${APP}] };`],
    ['ecosystem.json', JSON.stringify({ apps: [{ name: 'api', script: 'app.js', env: { A: '1' } }] })],
    ['ecosystem.json5', `// comment\n{ apps: [${APP},], }`],
    ['process.json', JSON.stringify({ pm2: [{ name: 'api', script: 'app.js', env: { A: '1' } }] })],
    ['bare.json', JSON.stringify([{ name: 'api', script: 'app.js', env: { A: '1' } }])],
    ['process.yml', 'apps:\n  - name: api\n    script: app.js\n    env:\n      A: "1"\n'],
    ['process.yaml', 'pm2:\n  - name: api\n    script: app.js\n    env: { A: "1" }\n'],
  ];
  it.each(FORMS)('%s', async (name, text) => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, { [name]: text, 'package.json': '{"type":"commonjs"}' });
      const result = await loadManifests([join(dir, name)]);
      expect(result.services.map((s) => [s.name, s.spec.command, s.spec.environment.A])).toEqual([['api', `node ${dir}/app.js`, '1']]);
    });
  });

  it('reports a syntax error with its line, and a config that throws', async () => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, { 'bad.json5': '{\n apps: [\n  { name: }\n ]\n}', 'bad.yml': 'apps:\n  - name: a\n   script: x\n', 'throws.config.cjs': "throw new Error('no database URL');" });
      expect((await manifestError(loadManifests([join(dir, 'bad.json5')]))).message).toMatch(/bad\.json5:3: invalid character/);
      expect((await manifestError(loadManifests([join(dir, 'bad.yml')]))).message).toMatch(/bad\.yml:3: /);
      expect((await manifestError(loadManifests([join(dir, 'throws.config.cjs')]))).message).toMatch(/throws\.config\.cjs: cannot load: .*Error: no database URL/);
    });
  });

  it('says why a .js config in a "type": "module" package exports nothing', async () => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, { 'package.json': '{"type":"module"}', 'ecosystem.config.js': "globalThis.x = 1; export {};" });
      expect((await manifestError(loadManifests([join(dir, 'ecosystem.config.js')]))).message).toMatch(/exports nothing: .*export default/);
    });
  });

  it('kills a config that does not finish loading', async () => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, { 'slow.config.cjs': 'while (true) {}' });
      await expect(loadJsConfig(join(dir, 'slow.config.cjs'), 300)).rejects.toThrow(/did not finish loading within 0.3s/);
    });
  });

  it('reads ecosystem files only when named, not from a directory', async () => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, { 'ecosystem.json': JSON.stringify({ apps: [{ name: 'x', script: 'app.js' }] }), 'a.hcl': 'service "web" { command = "x" }\n' });
      expect((await loadManifests([dir])).services.map((s) => s.name)).toEqual(['web']);
    });
  });
});

describe('writeManifest: decodes back to the same specs', () => {
  it.each(['hcl', 'toml'] as const)('every mapped field, in %s', async (format) => {
    const apps = FIELDS.map(([, fields], index) => ({ name: `app${index}`, script: 'app.js', ...fields }));
    await withTempDir(async (dir) => {
      await writeFiles(dir, { 'ecosystem.json': JSON.stringify({ apps }) });
      const loaded = await loadManifests([join(dir, 'ecosystem.json')]);
      await writeFiles(dir, { [`out.${format}`]: writeManifest(loaded.services, format) });
      const again = await loadManifests([join(dir, `out.${format}`)]);
      expect(again.services.map((s) => [s.name, s.spec])).toEqual(loaded.services.map((s) => [s.name, s.spec]));
    });
  });
});
