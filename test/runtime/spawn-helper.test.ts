/**
 * The spawn helper's own promises: its services are not tied to it, its
 * loss loses no exit (they are then watched by polling), the next launch
 * starts a new helper, and the helper ends with its parent.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProcessExit, ProcessRuntime } from '../../src/core/ports.js';
import { createProcessRuntime } from '../../src/runtime/process-runtime.js';
import type { SpawnHelper } from '../../src/runtime/spawn-helper.js';
import { HELPER_ENTRY, helpersEnded, testSpawnHelper } from '../helpers/launchers.js';
import { fixtureCommand, isPidAlive, tmpHome, trackPids, waitFor, type PidTracker } from '../helpers/processes.js';
import { spawnRequest } from './request.js';

const POLL_MS = 50;

let helper: SpawnHelper;
let runtime: ProcessRuntime;
let tracker: PidTracker;
let exits: ProcessExit[];

beforeEach(() => {
  tracker = trackPids();
  helper = testSpawnHelper(POLL_MS);
  runtime = createProcessRuntime({ logDir: join(tmpHome(), 'logs'), launcher: helper });
  exits = [];
  runtime.onExit((exit) => exits.push(exit));
});

afterEach(async () => {
  runtime.close();
  await helpersEnded();
  await tracker.assertNoLeftovers();
});

describe('spawn helper', () => {
  it('forks the services itself, and they are not its process group', async () => {
    const { pid } = await runtime.spawn(spawnRequest({ command: 'sleep 30' }));
    tracker.add(pid);
    expect(parentOf(pid)).toBe(helper.pid);
    expect(parentOf(helper.pid as number)).toBe(process.pid);
    await runtime.stop(pid, 'SIGTERM', 5000);
    await waitFor(() => exits.find((e) => e.pid === pid), { what: 'the exit' });
    expect(exits).toEqual([{ pid, code: null, signal: 'SIGTERM' }]);
  });

  it('when killed, leaves its services running, still watched, and the next launch starts a new helper', async () => {
    const { pid: survivor } = await runtime.spawn(spawnRequest({ command: fixtureCommand('forever.mjs') }, 'survivor'));
    tracker.add(survivor);
    const first = helper.pid as number;
    process.kill(first, 'SIGKILL');
    await waitFor(() => helper.pid === undefined || undefined, { what: 'the helper seen gone' });
    expect(isPidAlive(survivor)).toBe(true);

    // A new helper, exit codes again.
    const { pid: next } = await runtime.spawn(spawnRequest({ command: fixtureCommand('exit-with.mjs', '4') }, 'next'));
    tracker.add(next);
    expect(helper.pid).not.toBe(first);
    await waitFor(() => exits.find((e) => e.pid === next), { what: 'the exit of the next one' });

    // The survivor's exit is seen by polling: no code, as for an adopted process.
    process.kill(survivor, 'SIGKILL');
    await waitFor(() => exits.find((e) => e.pid === survivor), { what: 'the exit of the survivor' });
    expect(exits).toEqual([{ pid: next, code: 4, signal: null }, { pid: survivor, code: null, signal: null }]);
  });

  it('tells the exit of a process that ended before its pid was read only after the spawn returned it', async () => {
    // The agent busy right after the launch: the helper's "spawned" and "exited" lines are read together.
    const busyAfterLaunch = {
      launch: (spec: Parameters<SpawnHelper['launch']>[0]) => {
        const child = helper.launch(spec);
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
        return child;
      },
      close: () => helper.close(),
    };
    // The helper started and ready first (its start alone takes longer than the wait).
    const { pid: first } = await runtime.spawn(spawnRequest({ command: 'true' }, 'first'));
    tracker.add(first);
    const busy = createProcessRuntime({ logDir: join(tmpHome(), 'logs'), launcher: busyAfterLaunch });
    const returned = new Set<number>();
    const told: { pid: number; returned: boolean }[] = [];
    busy.onExit((exit) => told.push({ pid: exit.pid, returned: returned.has(exit.pid) }));
    const { pid } = await busy.spawn(spawnRequest({ command: 'true' }));
    returned.add(tracker.add(pid));
    await waitFor(() => told.length > 0, { what: 'the exit' });
    expect(told).toEqual([{ pid, returned: true }]);
    busy.close();
  });

  it('starts without NODE_EXTRA_CA_CERTS (it opens no TLS connection), and its services still get what their environment says', async () => {
    const saved = process.env.NODE_EXTRA_CA_CERTS;
    process.env.NODE_EXTRA_CA_CERTS = join(tmpHome(), 'agent-extra-ca.pem');
    const caHelper = testSpawnHelper(POLL_MS);
    const caRuntime = createProcessRuntime({ logDir: join(tmpHome(), 'logs'), launcher: caHelper });
    try {
      const { pid } = await caRuntime.spawn(spawnRequest({ command: 'sleep 30', environment: { NODE_EXTRA_CA_CERTS: '/service/own-ca.pem' } }));
      tracker.add(pid);
      const helperEnv = environOf(caHelper.pid as number);
      expect(helperEnv.NODE_EXTRA_CA_CERTS).toBeUndefined();
      expect(helperEnv.PATH).toBe(process.env.PATH); // the rest is the agent's
      expect(environOf(pid).NODE_EXTRA_CA_CERTS).toBe('/service/own-ca.pem');
      await caRuntime.stop(pid, 'SIGTERM', 5000);
    } finally {
      if (saved === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
      else process.env.NODE_EXTRA_CA_CERTS = saved;
      caRuntime.close();
    }
  });

  it('ends when its parent dies', async () => {
    // A parent that starts a helper, asks for one spawn, and is killed: the helper must go too.
    const parent = execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
      import { createSpawnHelper } from ${JSON.stringify(join(HELPER_ENTRY, '../spawn-helper.ts'))};
      const helper = createSpawnHelper({ entry: ${JSON.stringify(HELPER_ENTRY)}, execArgv: ['--import', 'tsx'] });
      const child = helper.launch({ file: 'sleep', args: ['30'], cwd: '/', env: { PATH: process.env.PATH }, out: '/dev/null', err: '/dev/null', logDir: '/tmp' });
      child.once('spawn', () => console.log(helper.pid + ' ' + child.pid));
    `]);
    const [helperPid, sleepPid] = await new Promise<number[]>((resolve) => {
      parent.stdout?.once('data', (data: Buffer) => resolve(String(data).trim().split(' ').map(Number)));
    });
    tracker.add(sleepPid);
    process.kill(parent.pid as number, 'SIGKILL');
    await waitFor(() => !isPidAlive(helperPid), { timeoutMs: 25_000, what: 'the helper to end with its parent' });
    expect(isPidAlive(sleepPid)).toBe(true); // detached: it outlives both
    process.kill(sleepPid, 'SIGKILL');
  });
});

function environOf(pid: number): Record<string, string> {
  const pairs = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
}

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}
