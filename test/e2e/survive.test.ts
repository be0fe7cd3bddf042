import { promises as fs, readdirSync, readFileSync, watch } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestHome, type TestHome } from '../helpers/hxe.js';
import { isPidAlive, waitFor } from '../helpers/processes.js';

let t: TestHome;
beforeEach(async () => { t = await createTestHome(); });
afterEach(async () => { await t.cleanup(); });

/** `count` services running `sleep <unique>`; the unique numbers let the test count real processes. */
function sleepers(count: number, base: number, prefix = 's'): string {
  return Array.from({ length: count }, (_, i) => `service "${prefix}${i}" {\n  command = "sleep ${base + i}"\n  backoff {\n    initial = "0s"\n  }\n}\n`).join('');
}

/** Pids of live processes whose command line is `sleep N` with N in [base, base+count). */
function sleepPids(base: number, count: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSafe('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = readSafe(`/proc/${entry}/cmdline`).split('\0');
    const n = Number(cmdline[1]);
    if (cmdline[0] === 'sleep' && n >= base && n < base + count && isPidAlive(Number(entry))) pids.push(Number(entry));
  }
  return pids.sort((a, b) => a - b);
}

const readSafe = (file: string) => { try { return readFileSync(file, 'utf8'); } catch { return ''; } };
const readdirSafe = (dir: string) => { try { return readdirSync(dir); } catch { return []; } };

async function agentPid(): Promise<number> {
  return Number((await fs.readFile(path.join(t.home, 'agent.pid'), 'utf8')).trim());
}

async function killAgent(): Promise<void> {
  const pid = await agentPid();
  process.kill(pid, 'SIGKILL');
  await waitFor(() => !isPidAlive(pid), { what: 'agent gone' });
}

const runningPids = async () => Object.fromEntries((await t.get()).map((v) => [v.name, v.status.pid]));

describe('survive', () => {
  it('adopts 20 running services after kill -9 of the agent: same pids, no duplicates, no restarts', async () => {
    const base = 7_100_000 + Math.floor(Math.random() * 10_000) * 100;
    const file = await t.write('s.hcl', sleepers(20, base));
    expect((await t.run(['apply', '-f', file, '--wait'])).code).toBe(0);
    const before = await runningPids();
    expect(sleepPids(base, 20)).toHaveLength(20);

    await killAgent();
    expect(sleepPids(base, 20)).toHaveLength(20);
    expect((await t.run(['agent', 'start'])).code).toBe(0); // a new agent, which adopts
    const views = await t.get();
    expect(Object.fromEntries(views.map((v) => [v.name, v.status.pid]))).toEqual(before);
    expect(views.every((v) => v.status.state === 'running' && v.status.restarts === 0)).toBe(true);
    expect(sleepPids(base, 20)).toEqual(Object.values(before).sort((a, b) => a! - b!));

    // An adopted process is no longer the agent's child: its exit is still noticed and handled.
    process.kill(before.s3!, 'SIGKILL');
    const restarted = await t.waitForInstance('s3', (v) => v.status.pid !== before.s3 && v.status.state === 'running', 'restarted');
    expect(restarted.status.restarts).toBe(1);
    expect(sleepPids(base, 20)).toHaveLength(20);
  });

  it('agent stop --keep-services leaves services for the next agent; a stale record is treated as an exit', async () => {
    const base = 7_300_000 + Math.floor(Math.random() * 10_000) * 100;
    const file = await t.write('s.hcl', sleepers(3, base));
    await t.run(['apply', '-f', file, '--wait']);
    const before = await runningPids();
    expect((await t.run(['agent', 'stop', '--keep-services'])).code).toBe(0);
    expect(Object.values(before).every((pid) => isPidAlive(pid!))).toBe(true);
    process.kill(before.s1!, 'SIGKILL');
    expect((await t.run(['agent', 'start'])).code).toBe(0);
    const s1 = await t.waitForInstance('s1', (v) => v.status.state === 'running' && v.status.pid !== before.s1, 'started anew');
    expect(s1.status.restarts).toBe(1);
    const after = await runningPids();
    expect(after.s0).toBe(before.s0);
    expect(after.s2).toBe(before.s2);
    expect(sleepPids(base, 3)).toHaveLength(3);
  });

  it('agent stop after kill -9 of the agent does not say stopped while its services run: exit 1, each named; the next agent stops them', async () => {
    const base = 7_400_000 + Math.floor(Math.random() * 10_000) * 100;
    await t.run(['apply', '-f', await t.write('s.hcl', sleepers(2, base)), '--wait']);
    const before = await runningPids();
    await killAgent();

    const refused = await t.run(['agent', 'stop']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`unsupervised: s0 (pid ${before.s0}), s1 (pid ${before.s1})`);
    expect(refused.stderr).toContain('`hxe agent start`');
    expect(sleepPids(base, 2)).toEqual([before.s0!, before.s1!].sort((a, b) => a - b));
    const kept = await t.run(['agent', 'stop', '--keep-services']);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stdout).toContain(`services left running: s0 (pid ${before.s0}), s1 (pid ${before.s1})`);

    expect((await t.run(['agent', 'start'])).code).toBe(0);
    expect((await t.run(['agent', 'stop'])).code).toBe(0);
    expect(sleepPids(base, 2)).toEqual([]);
    const again = await t.run(['agent', 'stop']);
    expect([again.code, again.stdout.trim()]).toEqual([0, 'agent not running']);
  });

  it('starts the stored services again after the agent stopped with them (a host reboot)', async () => {
    const base = 7_500_000 + Math.floor(Math.random() * 10_000) * 100;
    await t.run(['apply', '-f', await t.write('s.hcl', sleepers(2, base)), '--wait']);
    expect((await t.run(['agent', 'stop'])).code).toBe(0);
    expect(sleepPids(base, 2)).toEqual([]);
    await t.run(['agent', 'start']);
    await t.waitForInstance('s0', (v) => v.status.state === 'running', 'running');
    await t.waitForInstance('s1', (v) => v.status.state === 'running', 'running');
  });

  it('loses no update when ten CLIs apply at once', async () => {
    await t.run(['agent', 'start']);
    const files = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      t.write(`f${i}.hcl`, `service "svc-${i}" {\n  command = "sleep 1000"\n  disabled = true\n}\n`)));
    const results = await Promise.all(files.map((file) => t.run(['apply', '-f', file])));
    expect(results.map((r) => r.code)).toEqual(Array(10).fill(0));
    expect((await t.get()).map((v) => v.name).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `svc-${i}`).sort());
    const store = JSON.parse(await fs.readFile(path.join(t.home, 'store.json'), 'utf8'));
    expect(Object.keys(store.services)).toHaveLength(10);
  });

  it('keeps the store either the old or the new set when the agent is killed mid-apply', async () => {
    const set = (command: string) => Array.from({ length: 100 }, (_, i) => `service "a${i}" {\n  command = "${command}"\n  disabled = true\n}\n`).join('');
    const file = await t.write('s.hcl', set('sleep 1000'));
    await t.run(['apply', '-f', file]);
    for (let round = 0; round < 3; round++) {
      // Each round changes every service, so that each apply writes the store.
      await t.write('s.hcl', set(`sleep ${2000 + round}`));
      const pid = await agentPid();
      // The kill moment: the store's temp file is seen (its write under way or just renamed), or the apply ended first.
      const watcher = watch(t.home);
      const writing = new Promise((resolve) => watcher.on('change', (_, name) => { if (String(name) === '.store.json.tmp') resolve(name); }));
      const applying = t.run(['apply', '-f', file]);
      await Promise.race([writing, applying]);
      process.kill(pid, 'SIGKILL');
      watcher.close();
      await applying;
      const store = JSON.parse(await fs.readFile(path.join(t.home, 'store.json'), 'utf8'));
      const commands = new Set(Object.values(store.services).map((s) => (s as { spec: { command: string } }).spec.command));
      expect(commands.size).toBe(1);
      expect(Object.keys(store.services)).toHaveLength(100);
      await t.run(['agent', 'start']);
    }
    expect((await t.run(['apply', '-f', file])).code).toBe(0);
    const views = await t.get();
    expect(new Set(views.map((v) => v.spec.command))).toEqual(new Set(['sleep 2002']));
  });

  it('stays responsive while 50 services crash-loop, with flat memory', async () => {
    const crashers = Array.from({ length: 50 }, (_, i) =>
      `service "c${i}" {\n  command = "false"\n  backoff {\n    initial = "0s"\n  }\n  crashloop {\n    max_restarts = 100000\n  }\n}\n`).join('');
    await t.run(['apply', '-f', await t.write('c.hcl', crashers)]);
    const pid = await agentPid();
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;
    const fds = () => readdirSync(`/proc/${pid}/fd`).length;
    await waitFor(async () => (await t.api.list(['c0']))[0].status.restarts > 20, { timeoutMs: 60_000, what: 'crash loop under way' });
    const start = rss();
    const fdsAtStart = fds();
    const totalRestarts = async () => (await t.api.list()).reduce((sum, v) => sum + v.status.restarts, 0);
    for (let i = 0; i < 10; i++) {
      const began = Date.now();
      const result = await t.run(['get', '-o', 'json']);
      expect(result.code).toBe(0);
      expect(Date.now() - began).toBeLessThan(10_000);
      // Paced by the crash loop itself: the next `get` comes after 50 more restarts.
      const sofar = await totalRestarts();
      await waitFor(async () => (await totalRestarts()) >= sofar + 50, { timeoutMs: 60_000, what: '50 more restarts' });
    }
    const restarts = (await t.get()).reduce((sum, v) => sum + v.status.restarts, 0);
    expect(restarts).toBeGreaterThan(500);
    expect(rss() - start).toBeLessThan(64 * 1024 * 1024);
    // Spawns in flight hold a few descriptors each (log files, the exec pipe): flat means no growth with the restarts.
    expect(fds() - fdsAtStart).toBeLessThan(60);
    await t.run(['delete', '--all']);
  }, 180_000);
});

describe('the API refuses hostile requests without crashing', () => {
  const request = (socketPath: string, method: string, url: string, body?: string | Buffer) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ socketPath, method, path: url, headers: { 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.on('data', (chunk) => { text += chunk; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });

  it('answers 4xx to malformed, oversized or path-escaping requests, on a 0600 socket', async () => {
    await t.run(['agent', 'start']);
    const socket = path.join(t.home, 'agent.sock');
    expect((await fs.stat(socket)).mode & 0o777).toBe(0o600);
    expect((await request(socket, 'POST', '/v1/apply', '{"source": ')).status).toBe(400);
    expect((await request(socket, 'POST', '/v1/apply', '[]')).status).toBe(400);
    expect((await request(socket, 'POST', '/v1/apply', JSON.stringify({ source: 'x', services: [{ name: '../../etc', spec: { command: 'x' } }] }))).status).toBe(400);
    expect((await request(socket, 'POST', '/v1/stop', JSON.stringify({ names: ['a/b'] }))).status).toBe(400);
    expect((await request(socket, 'GET', '/v1/services/..%2F..%2Fetc/logs')).status).toBeGreaterThanOrEqual(400);
    expect((await request(socket, 'GET', '/v1/nothing-here')).status).toBe(404);
    const huge = Buffer.alloc(20 * 1024 * 1024, 'a');
    const tooLarge = await request(socket, 'POST', '/v1/apply', huge).catch(() => ({ status: 413, body: '' }));
    expect(tooLarge.status).toBe(413);
    expect((await request(socket, 'GET', '/v1/health')).status).toBe(200);
  });
});

describe('settled instances across agent restarts', () => {
  it('does not run a completed job again when the agent restarts', async () => {
    const marker = path.join(t.dir, 'runs');
    const job = `service "job" {\n  command = "sh -c 'echo run >> ${marker}'"\n  restart_policy = "on-failure"\n}\n`;
    await t.run(['apply', '-f', await t.write('job.hcl', job)]);
    await t.waitForInstance('job', (v) => v.status.state === 'completed', 'completed');
    // Status writes are coalesced: kill the agent once the end is on disk.
    await waitFor(async () => JSON.parse(await fs.readFile(path.join(t.home, 'store.json'), 'utf8')).statuses.job?.state === 'completed',
      { what: 'completed on disk' });
    await killAgent();
    await t.run(['agent', 'start']);
    // The new agent's first pass handles every stored service in order: one applied now is handled after the job.
    await t.run(['apply', '-f', await t.write('after.hcl', 'service "after" {\n  command = "sleep 1000"\n}\n')]);
    await t.waitForInstance('after', (v) => v.status.state === 'running', 'running');
    // A run again would have started before `after`: it would still be under way, or done and written.
    expect((await t.api.list(['job']))[0].status.state).toBe('completed');
    expect((await fs.readFile(marker, 'utf8')).trim().split('\n')).toHaveLength(1);
  });
});
