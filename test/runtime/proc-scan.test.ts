/**
 * Finding the processes of a home's spawns by their marker, among real
 * processes: the next agent's only way to know a process whose pid never
 * reached the store.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MarkedProcess, ProcessRuntime } from '../../src/core/ports.js';
import { specFingerprint } from '../../src/core/spec-fingerprint.js';
import { mainProcesses } from '../../src/reconcile/adoption.js';
import { homeId } from '../../src/runtime/home-id.js';
import { readCommandLine, readStartTime } from '../../src/runtime/proc.js';
import { scanMarkedProcesses } from '../../src/runtime/proc-scan.js';
import { createProcessRuntime } from '../../src/runtime/process-runtime.js';
import { parseMarker } from '../../src/runtime/spawn-marker.js';
import { tmpHome, trackPids, waitFor, type PidTracker } from '../helpers/processes.js';
import { spawnRequest } from './request.js';

let tracker: PidTracker;
let runtimes: ProcessRuntime[];
let started: { runtime: ProcessRuntime; pid: number }[];

beforeEach(() => {
  tracker = trackPids();
  runtimes = [];
  started = [];
});

afterEach(async () => {
  for (const { runtime, pid } of started) await runtime.stop(pid, 'SIGKILL', 1000);
  for (const runtime of runtimes) runtime.close();
  await tracker.assertNoLeftovers();
});

function runtimeOf(home: string): ProcessRuntime {
  const runtime = createProcessRuntime({ logDir: join(home, 'logs'), home });
  runtimes.push(runtime);
  return runtime;
}

async function start(runtime: ProcessRuntime, command: string, instance = 'web'): Promise<number> {
  const { pid } = await runtime.spawn(spawnRequest({ command, shell: true }, instance));
  started.push({ runtime, pid });
  return tracker.add(pid);
}

const byPid = (list: MarkedProcess[]) => new Map(list.map((p) => [p.pid, p]));

describe('scanMarkedProcesses', () => {
  it("finds every process of its home's spawns, children included, and none of another home's", async () => {
    const home = tmpHome();
    const other = tmpHome();
    const mine = runtimeOf(home);
    const main = await start(mine, 'sleep 7001 & wait');
    const api = await start(mine, 'exec sleep 7002', 'api');
    await start(runtimeOf(other), 'exec sleep 7003');
    const unmarked = tracker.add(spawn('sleep', ['7004'], { detached: true, stdio: 'ignore' }).pid as number);
    started.push({ runtime: mine, pid: unmarked });

    // The shell's child appears after the spawn resolves.
    const found = await waitFor(() => {
      const list = mine.findMarked?.() ?? [];
      return list.length === 3 ? list : undefined;
    }, { what: 'the main processes and the shell child' });
    const pids = byPid(found);
    expect(pids.has(unmarked)).toBe(false);
    const child = found.find((p) => p.pid !== main && p.pid !== api) as MarkedProcess;
    expect(child).toMatchObject({ instance: 'web', pgid: main, ppid: main, spawnId: pids.get(main)?.spawnId });
    expect(pids.get(api)).toMatchObject({ instance: 'api', pgid: api, spec: specFingerprint(spawnRequest({ command: 'exec sleep 7002', shell: true }).spec) });
    expect(pids.get(api)?.spawnId).not.toBe(pids.get(main)?.spawnId);
    expect(pids.get(api)?.identity).toMatchObject({ startTime: readStartTime(api), command: readCommandLine(api) });
    expect(Math.abs(Date.parse(pids.get(api)!.startedAt) - Date.now())).toBeLessThan(60_000);
    expect(mainProcesses(found).map((p) => p.pid).sort()).toEqual([main, api].sort());
  });

  it('does not count the scanning process itself (an agent started from a service inherits its marker)', async () => {
    const home = tmpHome();
    const pid = await start(runtimeOf(home), 'exec sleep 7005');
    expect(scanMarkedProcesses(homeId(home)).map((p) => p.pid)).toEqual([pid]);
    expect(scanMarkedProcesses(homeId(home), pid)).toEqual([]);
  });

  it('ignores a variable of that name that is not a marker', () => {
    expect(parseMarker('yes')).toBeNull();
    expect(parseMarker('abc:../x:00:11')).toBeNull();
    expect(parseMarker('abc:web-0:00ff:11')).toEqual({ home: 'abc', instance: 'web-0', spawnId: '00ff', spec: '11' });
  });
});
