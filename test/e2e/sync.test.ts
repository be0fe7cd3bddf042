import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../src/api/sync-status.js';
import { createTestHome, type TestHome } from '../helpers/hxe.js';
import { waitFor } from '../helpers/processes.js';

let t: TestHome;
let repo: string;
beforeEach(async () => {
  t = await createTestHome();
  repo = path.join(t.dir, 'repo');
  await fs.mkdir(repo);
});
afterEach(async () => { await t.cleanup(); });

const svc = (name: string, command = 'sleep 1000') => `service "${name}" {\n  command = "${command}"\n}\n`;
const names = async () => (await t.api.list()).map((v) => v.name).sort();
const syncs = async () => JSON.parse((await t.run(['sync', '--list', '-o', 'json'])).stdout) as SyncStatus[];
const agentLog = async () => (await fs.readFile(path.join(t.home, 'agent.log'), 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
const syncedEvents = async () => (await t.api.events(undefined, 1000)).filter((e) => e.type === 'Synced').length;

describe('GitOps sync', () => {
  it('follows a directory: files added, edited and removed become applies, restarts and prunes', async () => {
    await fs.writeFile(path.join(repo, 'a.hcl'), svc('alpha'));
    const registered = await t.run(['sync', repo, '--watch', '--prune']);
    expect(registered.code, registered.stderr).toBe(0);
    expect(await names()).toEqual(['alpha']);

    await fs.writeFile(path.join(repo, 'b.toml'), '[service.beta]\ncommand = "sleep 1001"\n');
    await waitFor(async () => (await names()).includes('beta'), { what: 'beta applied', timeoutMs: 15_000 });

    const before = await t.waitForInstance('alpha', (v) => v.status.state === 'running', 'running');
    await fs.writeFile(path.join(repo, 'a.hcl'), svc('alpha', 'sleep 2000'));
    await t.waitForInstance('alpha', (v) => v.spec.command === 'sleep 2000' && v.status.state === 'running' && v.status.pid !== before.status.pid, 'restarted with the edit');

    await fs.rm(path.join(repo, 'b.toml'));
    await waitFor(async () => !(await names()).includes('beta'), { what: 'beta pruned', timeoutMs: 15_000 });
    // Editors' temp files and other files are not manifests.
    await fs.writeFile(path.join(repo, '.a.hcl.swp'), 'garbage');
    await fs.writeFile(path.join(repo, 'README.md'), '# not a manifest');
    const [status] = await syncs();
    expect(status).toMatchObject({ path: repo, prune: true, lastError: null });
    expect(status.lastApplied?.services).toBe(1);
  });

  it('applies a burst of 20 file writes as one set', async () => {
    await fs.writeFile(path.join(repo, 'seed.hcl'), svc('seed'));
    await t.run(['sync', repo, '--watch']);
    const before = await syncedEvents();
    for (let i = 0; i < 20; i++) await fs.writeFile(path.join(repo, `s${i}.hcl`), svc(`s${i}`));
    await waitFor(async () => (await names()).length === 21, { what: '21 services', timeoutMs: 20_000 });
    // A file written now is synced after anything left of the burst: its own pass, logged after its event, ends the wait.
    await fs.writeFile(path.join(repo, 'last.hcl'), svc('last'));
    await waitFor(async () => (await agentLog()).some((line) => line.msg === 'synced' && line.services === 22),
      { what: 'the pass of the last file in the agent log', timeoutMs: 20_000 });
    expect((await syncedEvents()) - before).toBe(2);
  });

  it('refuses a broken edit as a whole, reports it everywhere, and applies the next good edit', async () => {
    await fs.writeFile(path.join(repo, 'a.hcl'), svc('alpha'));
    await t.run(['sync', repo, '--watch']);
    const running = await t.waitForInstance('alpha', (v) => v.status.state === 'running', 'running');
    await fs.writeFile(path.join(repo, 'a.hcl'), `${svc('alpha', 'sleep 3000')}service "beta" {\n  command = "x"\n  restart_policy = "sometimes"\n}\n`);
    const [refused] = await waitFor(async () => {
      const list = await syncs();
      return list[0]?.lastError ? list : undefined;
    }, { what: 'refused edit reported', timeoutMs: 15_000 });
    expect(refused.lastError?.message).toMatch(/a\.hcl:\d+: service "beta": restart_policy: expected one of/);
    expect((await t.run(['sync', '--list'])).stdout).toContain('restart_policy');
    expect((await t.api.events(undefined, 500)).some((e) => e.type === 'SyncFailed' && /restart_policy/.test(e.message))).toBe(true);
    expect(await fs.readFile(path.join(t.home, 'agent.log'), 'utf8')).toMatch(/sync refused/);
    const still = (await t.api.list(['alpha']))[0];
    expect(still.spec.command).toBe('sleep 1000');
    expect(still.status.pid).toBe(running.status.pid);
    expect(await names()).toEqual(['alpha']);

    await fs.writeFile(path.join(repo, 'a.hcl'), svc('alpha', 'sleep 3000'));
    await waitFor(async () => (await t.api.list(['alpha']))[0].spec.command === 'sleep 3000', { what: 'good edit applied', timeoutMs: 15_000 });
    expect((await syncs())[0].lastError).toBeNull();
  });

  it('converges to each commit of a Git checkout, and shows the commit', async () => {
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], {
      env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' },
    }).toString().trim();
    git('init', '-q', '-b', 'main');
    await fs.writeFile(path.join(repo, 'services.hcl'), svc('one') + svc('two'));
    git('add', '.');
    git('commit', '-qm', 'first');
    const first = git('rev-parse', 'HEAD');
    await fs.writeFile(path.join(repo, 'services.hcl'), svc('one', 'sleep 1500') + svc('three'));
    git('commit', '-qam', 'second');
    const second = git('rev-parse', 'HEAD');

    await t.run(['sync', repo, '--watch', '--prune']);
    expect(await names()).toEqual(['one', 'three']);
    expect((await syncs())[0].lastApplied?.commit).toBe(second);

    git('checkout', '-q', first);
    await waitFor(async () => (await names()).join() === 'one,two' && (await syncs())[0].lastApplied?.commit === first,
      { what: 'first commit', timeoutMs: 15_000 });
    expect((await t.api.list(['one']))[0].spec.command).toBe('sleep 1000');

    git('checkout', '-q', 'main');
    await waitFor(async () => (await names()).join() === 'one,three', { what: 'second commit', timeoutMs: 15_000 });
    expect((await t.api.list(['one']))[0].spec.command).toBe('sleep 1500');
  });

  it('keeps the registration across an agent restart and catches up with changes made meanwhile', async () => {
    await fs.writeFile(path.join(repo, 'a.hcl'), svc('alpha'));
    await t.run(['sync', repo, '--watch', '--prune']);
    expect((await t.run(['agent', 'stop', '--keep-services'])).code).toBe(0);
    await fs.writeFile(path.join(repo, 'b.hcl'), svc('beta'));
    await t.run(['agent', 'start']);
    await waitFor(async () => (await names()).join() === 'alpha,beta', { what: 'caught up', timeoutMs: 15_000 });
    await fs.writeFile(path.join(repo, 'c.hcl'), svc('gamma'));
    await waitFor(async () => (await names()).includes('gamma'), { what: 'still watching', timeoutMs: 15_000 });
    expect((await t.run(['sync', '--stop', repo])).code).toBe(0);
    expect(await syncs()).toEqual([]);
    expect(await names()).toEqual(['alpha', 'beta', 'gamma']);
  });

  it('refuses two synced paths that name the same service, on both', async () => {
    const other = path.join(t.dir, 'other');
    await fs.mkdir(other);
    await fs.writeFile(path.join(repo, 'a.hcl'), svc('shared'));
    await fs.writeFile(path.join(other, 'a.hcl'), svc('shared', 'sleep 9999'));
    await t.run(['sync', repo, '--watch']);
    const second = await t.run(['sync', other, '--watch']);
    expect(second.code).toBe(1);
    expect(second.stdout).toMatch(/shared also declared by synced path/);
    const list = await syncs();
    expect(list.map((s) => [s.path, Boolean(s.lastError)])).toEqual([[other, true], [repo, true]].sort());
    expect((await t.api.list(['shared']))[0].spec.command).toBe('sleep 1000');
  });

  it('one pass without --watch, as in CI', async () => {
    await fs.writeFile(path.join(repo, 'a.hcl'), svc('alpha') + svc('beta'));
    expect((await t.run(['sync', repo])).code).toBe(0);
    await fs.writeFile(path.join(repo, 'a.hcl'), svc('alpha'));
    expect((await t.run(['sync', repo, '--prune'])).stdout).toContain('- beta');
    expect(await names()).toEqual(['alpha']);
    expect(await syncs()).toEqual([]);
  });

  it("restarts a service when its own watched files change", async () => {
    const app = path.join(t.dir, 'app');
    await fs.mkdir(app);
    await fs.writeFile(path.join(app, 'main.js'), '1');
    await t.run(['apply', '-f', await t.write('w.hcl',
      `service "watched" {\n  command = "sleep 1000"\n  watch {\n    paths = ["${app}"]\n    ignore = ["*.log"]\n    debounce = "100ms"\n  }\n}\n` +
      // Watches the same files, ignores none, and waits longer: its restart request comes after any of watched's.
      `service "witness" {\n  command = "sleep 1001"\n  watch {\n    paths = ["${app}"]\n    debounce = "600ms"\n  }\n}\n`)]);
    const first = await t.waitForInstance('watched', (v) => v.status.state === 'running', 'running');
    await t.waitForInstance('witness', (v) => v.status.state === 'running', 'running');
    // A change made before a watcher's first scan ends is part of that scan: wait until both watch.
    for (const name of ['watched', 'witness']) {
      await waitFor(async () => (await t.api.events(name, 100)).some((e) => e.type === 'Watching'), { what: `${name} watching`, timeoutMs: 15_000 });
    }
    await fs.writeFile(path.join(app, 'debug.log'), 'ignored');
    await waitFor(async () => (await t.api.events('witness', 100)).some((e) => e.type === 'RestartRequested' && e.message.includes('debug.log')),
      { what: "witness's restart for debug.log", timeoutMs: 15_000 });
    expect((await t.api.events('watched', 100)).filter((e) => e.type === 'RestartRequested')).toEqual([]);
    expect((await t.api.list(['watched']))[0].status.pid).toBe(first.status.pid);
    await fs.writeFile(path.join(app, 'main.js'), '2');
    const restarted = await t.waitForInstance('watched', (v) => v.status.state === 'running' && v.status.pid !== first.status.pid, 'restarted on change');
    expect(restarted.status.restarts).toBe(0);
  });
});

describe('GitOps drift and boot', () => {
  it('shows drift, and why, in sync --list and get -o wide', async () => {
    await fs.writeFile(path.join(repo, 'a.hcl'), `service "db" {\n  command = "sleep 1000"\n  health_check {\n    type = "exec"\n    command = "false"\n    interval = "100ms"\n    start_period = "10m"\n  }\n}\n${svc('web').replace('}\n', '  depends_on = ["db"]\n}\n')}`);
    await t.run(['sync', repo, '--watch']);
    const [status] = await waitFor(async () => {
      const list = await syncs();
      return list[0]?.drift.some((d) => d.name === 'web') ? list : undefined;
    }, { what: 'drift of web', timeoutMs: 40_000 });
    expect(status.drift.find((d) => d.name === 'web')?.reason).toBe('pending: waiting for db');
    expect((await t.run(['sync', '--list'])).stdout).toContain(`${repo}: web drifts: pending: waiting for db`);
    expect((await t.run(['get', 'web', '-o', 'wide'])).stdout).toMatch(/waiting for db/);
  }, 90_000);

  it('boots straight into GitOps from sync blocks of the agent configuration', async () => {
    await fs.writeFile(path.join(repo, 'a.hcl'), svc('booted'));
    const config = await t.write('config/agent.hcl', `sync {\n  path = "${repo}"\n  prune = true\n}\n`);
    expect((await t.run(['agent', 'start', '--config', config])).code).toBe(0);
    await waitFor(async () => (await names()).includes('booted'), { what: 'synced at boot', timeoutMs: 15_000 });
    expect((await syncs())[0]).toMatchObject({ path: repo, prune: true });
  });
});
