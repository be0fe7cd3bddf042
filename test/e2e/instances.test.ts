import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InstanceView } from '../../src/core/types.js';
import { createTestHome, type TestHome } from '../helpers/hxe.js';
import { fixtureCommand, freePort, isPidAlive, waitFor } from '../helpers/processes.js';

let t: TestHome;
beforeEach(async () => { t = await createTestHome(); });
afterEach(async () => { await t.cleanup(); });

/** An HCL service block; `body` holds HCL lines, `command` is quoted for HCL. */
const service = (name: string, command: string, body = '') => `service "${name}" {\n  command = ${JSON.stringify(command)}\n${body}\n}\n`;
const workers = (instances: number, command = fixtureCommand('forever.mjs')) => service('worker', command, `  instances = ${instances}`);

async function apply(text: string, extra: string[] = []) {
  const file = await t.write('services.hcl', text);
  const result = await t.run(['apply', '-f', file, ...extra]);
  expect(result.code, result.stderr).toBe(0);
  return result;
}

/** Writes a line to stdout and stderr every 200 ms, for hours. */
const CHATTY = fixtureCommand('chatty.mjs', '100000', '40', '200');

const running = (v: InstanceView) => v.status.state === 'running' && v.status.pid !== null;

/** Polls until the service has exactly these instances, all running; returns pid by name. */
async function runningInstances(names: string[]): Promise<Record<string, number>> {
  const views = await waitFor(async () => {
    const list = await t.api.list(['worker']);
    const same = list.map((v) => v.name).join() === names.join() && list.every(running);
    return same ? list : undefined;
  }, { timeoutMs: 20_000, what: `running: ${names.join(', ')}` });
  return Object.fromEntries(views.map((v) => [v.name, v.status.pid!]));
}

async function pidOf(instance: string): Promise<number | null | undefined> {
  return (await t.api.list([instance])).find((v) => v.name === instance)?.status.pid;
}

async function environOf(pid: number): Promise<string> {
  return fs.readFile(`/proc/${pid}/environ`, 'utf8');
}

describe('instances, end to end', () => {
  it('stop, start, restart and logs given an instance name act on that instance alone', async () => {
    await apply(workers(2, CHATTY));
    const first = await runningInstances(['worker-0', 'worker-1']);

    expect((await t.run(['stop', 'worker-1'])).code).toBe(0);
    await t.waitForInstance('worker-1', (v) => v.status.state === 'stopped', 'stopped');
    expect(isPidAlive(first['worker-1'])).toBe(false);
    expect(await pidOf('worker-0')).toBe(first['worker-0']);

    expect((await t.run(['start', 'worker-1'])).code).toBe(0);
    const started = await t.waitForInstance('worker-1', running, 'running again');
    expect(await pidOf('worker-0')).toBe(first['worker-0']);

    expect((await t.run(['restart', 'worker-0'])).code).toBe(0);
    await t.waitForInstance('worker-0', (v) => running(v) && v.status.pid !== first['worker-0'], 'restarted');
    expect(await pidOf('worker-1')).toBe(started.status.pid);

    await waitFor(async () => (await t.run(['logs', 'worker-1', '--tail', '5'])).stdout.trim() !== '', { what: 'worker-1 output' });
    const logs = await t.run(['logs', 'worker-1', '--tail', '5']);
    expect(logs.stdout).not.toContain('[worker-0]');
    expect(logs.stdout).not.toContain('[worker-1]');
    const both = await t.run(['logs', 'worker', '--tail', '1']);
    expect(both.stdout).toContain('[worker-0]');
    expect(both.stdout).toContain('[worker-1]');
  });

  it('refuses to delete an instance, naming the service and `instances`, and deletes nothing', async () => {
    await apply(workers(2));
    const pids = await runningInstances(['worker-0', 'worker-1']);
    const result = await t.run(['delete', 'worker-1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('service worker');
    expect(result.stderr).toContain('`instances`');
    const after = await t.api.list(['worker']);
    expect(after.map((v) => [v.name, v.status.pid])).toEqual([['worker-0', pids['worker-0']], ['worker-1', pids['worker-1']]]);
  });

  it('scaling keeps the instances that stay: 1 → 3 keeps the pid, 3 → 2 stops the highest, 4 → 1 keeps index 0', async () => {
    await apply(workers(1, CHATTY));
    const one = await runningInstances(['worker']);
    expect(await environOf(one.worker)).toContain('HXE_INSTANCE=0');
    await waitFor(async () => (await t.run(['logs', 'worker', '--tail', '1'])).stdout.trim() !== '', { what: 'first output' });

    const up = await apply(workers(3, CHATTY));
    expect(up.stdout).toContain('0 instances to restart');
    const three = await runningInstances(['worker-0', 'worker-1', 'worker-2']);
    expect(three['worker-0']).toBe(one.worker);
    // The renamed instance keeps its logs, and keeps writing to them.
    const logFile = path.join(t.home, 'logs', 'worker-0.out.log');
    const size = (await fs.stat(logFile)).size;
    await waitFor(async () => (await fs.stat(logFile)).size > size, { what: 'worker-0 still logging' });

    await apply(workers(2, CHATTY));
    const two = await runningInstances(['worker-0', 'worker-1']);
    expect(two).toEqual({ 'worker-0': three['worker-0'], 'worker-1': three['worker-1'] });
    await waitFor(() => !isPidAlive(three['worker-2']), { what: 'worker-2 gone' });

    await apply(workers(4, CHATTY));
    const four = await runningInstances(['worker-0', 'worker-1', 'worker-2', 'worker-3']);
    expect(four['worker-1']).toBe(two['worker-1']);
    await apply(workers(1, CHATTY));
    const last = await runningInstances(['worker']);
    expect(last.worker).toBe(one.worker);
    for (const name of ['worker-1', 'worker-2', 'worker-3']) await waitFor(() => !isPidAlive(four[name]), { what: `${name} gone` });
    expect((await t.run(['logs', 'worker', '--tail', '1'])).stdout.trim()).not.toBe('');
  });

  it('an agent killed between storing a scale-up and renaming index 0: the next one renames it and keeps its pid', async () => {
    await apply(workers(1, CHATTY));
    const one = await runningInstances(['worker']);
    const storeFile = path.join(t.home, 'store.json');
    const readStore = async () => JSON.parse(await fs.readFile(storeFile, 'utf8'));
    await waitFor(async () => (await readStore()).statuses?.worker?.pid === one.worker, { what: 'status flushed' });
    const agentPid = Number(await fs.readFile(path.join(t.home, 'agent.pid'), 'utf8'));
    process.kill(agentPid, 'SIGKILL');
    await waitFor(() => !isPidAlive(agentPid), { what: 'agent gone' });
    // What the dead agent had committed: the new count, not yet the rename.
    const store = await readStore();
    store.services.worker.spec.instances = 3;
    store.revision += 1;
    await fs.writeFile(storeFile, JSON.stringify(store));
    await t.run(['agent', 'start']); // the next agent, which adopts

    const three = await runningInstances(['worker-0', 'worker-1', 'worker-2']);
    expect(three['worker-0']).toBe(one.worker);
    expect(await fs.stat(path.join(t.home, 'logs', 'worker-0.out.log'))).toBeTruthy();
  });

  it('diff names each instance a spec change restarts, and the apply restarts exactly those', async () => {
    await apply(workers(2));
    const before = await runningInstances(['worker-0', 'worker-1']);
    const file = await t.write('services.hcl', workers(3, `${fixtureCommand('forever.mjs')} --changed`));
    const diff = await t.run(['diff', '-f', file]);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('restarts worker-0, worker-1');
    expect(diff.stdout).toContain('2 instances to restart');
    const json = JSON.parse((await t.run(['diff', '-f', file, '-o', 'json'])).stdout);
    expect(json.services[0].restartInstances).toEqual(['worker-0', 'worker-1']);

    expect((await t.run(['apply', '-f', file])).code).toBe(0);
    const after = await waitFor(async () => {
      const list = await t.api.list(['worker']);
      return list.length === 3 && list.every((v) => running(v) && v.status.observedGeneration === 2) ? list : undefined;
    }, { timeoutMs: 30_000, what: 'all on generation 2' });
    expect(after[0].status.pid).not.toBe(before['worker-0']);
    expect(after[1].status.pid).not.toBe(before['worker-1']);
  });

  it('apply --wait exits 1 naming the instance that crash-loops on a port taken by its sibling', async () => {
    const port = await freePort();
    const result = await t.run(['apply', '-f', await t.write('s.hcl', service('api', fixtureCommand('ready-after.mjs', '--tcp', String(port), '0'),
      '  instances = 2\n  backoff {\n    initial = "100ms"\n  }\n  crashloop {\n    max_restarts = 3\n    window = "1m"\n  }')), '--wait', '--timeout', '30s']);
    expect(result.code).toBe(1);
    const views = await t.api.list(['api']);
    const loser = views.find((v) => !v.status.ready);
    expect(loser).toBeDefined();
    expect(result.stdout).toMatch(new RegExp(`${loser!.name}: not ready \\((backoff|crashloop|starting|running)`));
    expect(result.stdout).toContain('EADDRINUSE');
    expect(result.stdout).toMatch(/^\[\d+(\.\d)?s\] \d\/2 ready/m);
    expect(result.stdout).not.toMatch(/2\/2 ready\s*$/m);
  });

  it('apply --wait exits 0 once every instance is ready and has stayed up for --min-ready', async () => {
    const result = await apply(workers(2), ['--wait', '--min-ready', '1s', '--timeout', '30s']);
    expect(result.stdout).toMatch(/settling/);
    expect(result.stdout).toMatch(/2\/2 ready\s*$/);
    const views = await t.api.list(['worker']);
    for (const view of views) expect(Date.now() - Date.parse(view.status.startedAt!)).toBeGreaterThanOrEqual(1000);
  });
});
