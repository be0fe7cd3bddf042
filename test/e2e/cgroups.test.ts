/**
 * Per-instance cgroups end to end: a real agent, a service whose grandchild
 * leaves the process group (test/fixtures/escape.mjs). Runs where this test
 * process's cgroup v2 is writable (the agent inherits it).
 */
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { agentCgroup, homeCgroupDir } from '../helpers/cgroups.js';
import { createTestHome, type TestHome } from '../helpers/hxe.js';
import { fixtureCommand, isPidAlive, waitFor } from '../helpers/processes.js';

const here = agentCgroup();
const skip = here.dir === null;
const why = here.dir === null ? ` (skipped: ${here.reason})` : '';

let t: TestHome;
/** Escaped grandchildren: the home's cleanup cannot see them, so a failing test kills them here. */
let escaped: number[];
beforeEach(async () => {
  t = await createTestHome();
  escaped = [];
});
afterEach(async () => {
  try {
    await t.cleanup();
  } finally {
    const alive = escaped.filter(isPidAlive);
    for (const pid of alive) process.kill(pid, 'SIGKILL');
    expect(alive, 'escaped grandchildren left alive after the agent stopped').toEqual([]);
  }
});

const pidFile = () => path.join(t.dir, 'escaped.pid');

/** Applies `escaper` (escape.mjs) and waits for it to run; returns its pid, its grandchild's and its cgroup. */
async function startEscaper(body = '') {
  const command = fixtureCommand('escape.mjs', pidFile());
  const file = await t.write('escaper.hcl', `service "escaper" {\n  command = ${JSON.stringify(command)}\n${body}\n}\n`);
  const result = await t.run(['apply', '-f', file]);
  expect(result.code, result.stderr).toBe(0);
  const view = await t.waitForInstance('escaper', (v) => v.status.state === 'running', 'running');
  const grandchild = await readEscaped();
  const cgroup = path.join(homeCgroupDir(t.home)!, 'escaper');
  return { pid: view.status.pid!, grandchild, cgroup };
}

/** The grandchild pid escape.mjs wrote, once written and other than `not`. */
async function readEscaped(not?: number): Promise<number> {
  const pid = await waitFor(() => {
    const value = Number(readFileSync(pidFile(), 'utf8'));
    return value && value !== not ? value : undefined;
  }, { what: 'the escaped grandchild pid' });
  escaped.push(pid);
  return pid;
}

const procs = (cgroup: string) => readFileSync(path.join(cgroup, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);

/** The agent's NDJSON log lines. */
async function agentLog(): Promise<Record<string, unknown>[]> {
  const text = await fs.readFile(path.join(t.home, 'agent.log'), 'utf8');
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** True where `auto` puts no instance in a cgroup: no memory/cpu controllers, and moves are not cheap (no favordynmods). */
function autoUsesNone(dir: string): boolean {
  const controllers = readFileSync(path.join(dir, 'cgroup.controllers'), 'utf8');
  const favored = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((line) => / - cgroup2 .*favordynmods/.test(line));
  return !/\bmemory\b/.test(controllers) && !favored;
}

describe('agent.cgroups = "auto" where a cgroup would only cost', () => {
  const notHere = skip || !autoUsesNone(here.dir!);
  it.skipIf(notHere)('runs instances as process groups and says why, once', async () => {
    const command = fixtureCommand('escape.mjs', pidFile());
    await t.run(['apply', '-f', await t.write('escaper.hcl', `service "escaper" {\n  command = ${JSON.stringify(command)}\n}\n`)]);
    await t.waitForInstance('escaper', (v) => v.status.state === 'running', 'running');
    await readEscaped();
    expect(existsSync(homeCgroupDir(t.home)!)).toBe(false);
    const events = (await t.api.events(undefined, 500)).filter((e) => e.type.startsWith('Cgroups'));
    expect(events).toEqual([expect.objectContaining({ type: 'CgroupsUnavailable', message: expect.stringMatching(/favordynmods.*agent\.cgroups = "always"/) })]);
    const view = await t.waitForInstance('escaper', (v) => v.status.state === 'running', 'running');
    await t.run(['delete', 'escaper']);
    await waitFor(() => !isPidAlive(view.status.pid!), { what: 'the main process gone' });
    // Without a cgroup a stop reaches the process group only: the grandchild that left it lives on (and is ours to kill).
    const [grandchild] = escaped.splice(0);
    expect(isPidAlive(grandchild)).toBe(true);
    process.kill(grandchild, 'SIGKILL');
  });
});

describe('per-instance cgroups (agent.cgroups = "always"), end to end', () => {
  beforeEach(async () => {
    if (skip) return;
    const config = await t.write('agent.hcl', 'agent {\n  cgroups = "always"\n}\n');
    expect((await t.run(['agent', 'start', '--config', config])).code).toBe(0);
  });

  it.skipIf(skip)(`stop and delete leave neither the main process, nor a grandchild that left its group, nor its cgroup${why}`, async () => {
    const first = await startEscaper();
    expect(first.cgroup).toMatch(/\/hxe\/h[0-9a-f]{12}\/escaper$/);
    expect(existsSync(first.cgroup)).toBe(true);
    expect(procs(first.cgroup).sort()).toEqual([first.pid, first.grandchild].sort());

    expect((await t.run(['stop', 'escaper'])).code).toBe(0);
    await t.waitForInstance('escaper', (v) => v.status.state === 'stopped', 'stopped');
    expect(isPidAlive(first.pid)).toBe(false);
    expect(isPidAlive(first.grandchild)).toBe(false);
    expect(existsSync(first.cgroup)).toBe(false);

    expect((await t.run(['start', 'escaper'])).code).toBe(0);
    const view = await t.waitForInstance('escaper', (v) => v.status.state === 'running', 'running again');
    const grandchild = await readEscaped(first.grandchild);
    expect(procs(first.cgroup).sort()).toEqual([view.status.pid!, grandchild].sort());
    expect((await t.run(['delete', 'escaper'])).code).toBe(0);
    // The record goes at once; the stop follows.
    await waitFor(() => !isPidAlive(view.status.pid!) && !isPidAlive(grandchild), { what: 'both gone after delete' });
    await waitFor(() => !existsSync(first.cgroup), { what: 'the cgroup removed after delete' });

    expect((await t.run(['agent', 'stop'])).code).toBe(0);
    expect(existsSync(homeCgroupDir(t.home)!)).toBe(false);
  });

  it.skipIf(skip)(`kill -9 of the main process: its escaped grandchild is killed before the restart${why}`, async () => {
    const first = await startEscaper('  backoff {\n    initial = "0s"\n  }');
    process.kill(first.pid, 'SIGKILL');
    const view = await t.waitForInstance('escaper', (v) => v.status.state === 'running' && v.status.pid !== first.pid, 'restarted');
    const grandchild = await readEscaped(first.grandchild);
    expect(isPidAlive(first.grandchild)).toBe(false);
    expect(procs(first.cgroup).sort()).toEqual([view.status.pid!, grandchild].sort());

    const killed = (await agentLog()).filter((line) => /after the main process exited/.test(String(line.msg)));
    expect(killed).toEqual([expect.objectContaining({ count: 1, pids: [first.grandchild], cgroup: first.cgroup })]);
    // Logged once the leftovers were dead, and before the restart was spawned.
    expect(Date.parse(String(killed[0].time))).toBeLessThanOrEqual(Date.parse(view.status.startedAt!));
  });

  it.skipIf(skip)(`agent stop --keep-services leaves running services' cgroups; the next agent adopts and stops them${why}`, async () => {
    const first = await startEscaper();
    expect((await t.run(['agent', 'stop', '--keep-services'])).code).toBe(0);
    expect(isPidAlive(first.pid) && isPidAlive(first.grandchild)).toBe(true);
    expect(procs(first.cgroup).sort()).toEqual([first.pid, first.grandchild].sort());

    expect((await t.run(['agent', 'start'])).code).toBe(0);
    const view = await t.waitForInstance('escaper', (v) => v.status.state === 'running', 'adopted');
    expect(view.status.pid).toBe(first.pid);
    expect(isPidAlive(first.grandchild)).toBe(true); // the sweep at start leaves an adopted instance's cgroup alone
    expect((await t.run(['delete', 'escaper'])).code).toBe(0);
    await waitFor(() => !isPidAlive(first.pid) && !isPidAlive(first.grandchild), { what: 'both gone' });
    await waitFor(() => !existsSync(first.cgroup), { what: 'the cgroup removed' });
  });

  it.skipIf(skip)(`says once, in the log and the events, in which mode it runs${why}`, async () => {
    const lines = (await agentLog()).filter((line) => line.action === 'cgroups');
    expect(lines).toHaveLength(1);
    const events = (await t.api.events(undefined, 500)).filter((e) => e.type.startsWith('Cgroups'));
    if (lines[0].mode === 'limits') {
      expect(events).toEqual([]);
    } else {
      expect(lines[0].mode).toBe('tracking');
      expect(events).toEqual([expect.objectContaining({
        type: 'CgroupsTrackingOnly',
        message: expect.stringMatching(/memory_limit is enforced by the watchdog, cpu_limit is not enforced/),
      })]);
    }
  });
});
