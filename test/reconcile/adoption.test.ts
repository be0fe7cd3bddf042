import { describe, expect, it } from 'vitest';
import type { MarkedProcess } from '../../src/core/ports.js';
import { specFingerprint } from '../../src/core/spec-fingerprint.js';
import { adoptedStatus, mainProcesses, planAdoption } from '../../src/reconcile/adoption.js';
import { recordOf } from '../helpers/specs.js';

/** A found process: the main process of spawn `spawnId` unless `pgid`/`ppid` say otherwise. */
function found(pid: number, instance: string, spawnId: string, startTime: number, extra: Partial<MarkedProcess> = {}): MarkedProcess {
  return {
    pid, pgid: pid, ppid: 1, startTime, instance, spawnId, spec: 'abc',
    identity: { startTime, bootId: 'boot', command: `sleep ${pid}` }, startedAt: '2026-01-01T00:00:00.000Z', ...extra,
  };
}

const pids = (list: MarkedProcess[]) => list.map((p) => p.pid).sort((a, b) => a - b);
const stops = (plan: ReturnType<typeof planAdoption>) => plan.stop.map((s) => `${s.process.pid}:${s.why}`).sort();

describe('mainProcesses', () => {
  it('takes the earliest started process of each spawn, children and grandchildren aside', () => {
    const marked = [
      found(200, 'web', 'a', 50, { pgid: 100, ppid: 100 }), // a child in the group
      found(100, 'web', 'a', 40),
      found(300, 'web', 'a', 60, { ppid: 1 }), // a daemonized grandchild: leads its own session, started later
      found(400, 'api', 'b', 45),
    ];
    expect(pids(mainProcesses(marked))).toEqual([100, 400]);
  });

  it('within one clock tick, prefers the parent over its child', () => {
    expect(pids(mainProcesses([found(501, 'web', 'a', 7, { ppid: 500 }), found(500, 'web', 'a', 7)]))).toEqual([500]);
  });

  it('finds no main process for a spawn whose main process has exited (only its children are left)', () => {
    expect(mainProcesses([found(200, 'web', 'a', 50, { pgid: 100, ppid: 1 })])).toEqual([]);
  });
});

describe('planAdoption', () => {
  it('adopts a process started just before the agent died, whose pid never reached the store', () => {
    const plan = planAdoption({ instances: new Map([['web', null]]), marked: [found(100, 'web', 'a', 10)] });
    expect([...plan.adopt].map(([name, p]) => `${name}:${p.pid}`)).toEqual(['web:100']);
    expect(plan.stop).toEqual([]);
  });

  it('keeps the recorded live process and stops a second copy of the same instance', () => {
    const plan = planAdoption({
      instances: new Map([['web', 100]]),
      marked: [found(100, 'web', 'a', 10), found(150, 'web', 'b', 20)],
    });
    expect(plan.adopt.size).toBe(0);
    expect(stops(plan)).toEqual(['150:duplicate']);
  });

  it('adopts the latest of several unrecorded copies and stops the older ones', () => {
    const plan = planAdoption({
      instances: new Map([['web', null]]),
      marked: [found(100, 'web', 'a', 10), found(300, 'web', 'c', 30), found(200, 'web', 'b', 20)],
    });
    expect(plan.adopt.get('web')?.pid).toBe(300);
    expect(stops(plan)).toEqual(['100:duplicate', '200:duplicate']);
  });

  it('stops processes of instances the store does not know (a deleted service, an emptied store)', () => {
    const plan = planAdoption({ instances: new Map([['web', null]]), marked: [found(100, 'gone', 'a', 10), found(110, 'web-3', 'b', 10)] });
    expect(stops(plan)).toEqual(['100:unknown', '110:unknown']);
    expect(plan.adopt.size).toBe(0);
  });

  it('stops the recorded process of a deleted service once, also when its marker finds it', () => {
    const plan = planAdoption({
      instances: new Map([['web', null]]),
      marked: [found(100, 'gone', 'a', 10), found(120, 'gone', 'b', 12)],
      deleted: new Map([['gone', 100]]),
    });
    expect(plan.stopDeleted).toEqual([{ instance: 'gone', pid: 100 }]);
    expect(stops(plan)).toEqual(['120:unknown']);
  });

  it('leaves alone processes already being stopped, and children that are not main processes', () => {
    const plan = planAdoption({
      instances: new Map([['web', null]]),
      marked: [found(100, 'gone', 'a', 10), found(101, 'gone', 'a', 11, { pgid: 100, ppid: 100 }), found(200, 'web', 'b', 5, { pgid: 7 })],
      stopping: new Set([100]),
    });
    expect(plan.stop).toEqual([]);
    expect(plan.adopt.size).toBe(0);
  });
});

describe('adoptedStatus', () => {
  it("resumes at the record's generation when the process runs the record's spec, at -1 (a restart) otherwise", () => {
    const record = recordOf('web', { command: 'sleep 5' }, { generation: 4 });
    const same = found(100, 'web', 'a', 10, { spec: specFingerprint(record.spec) });
    const status = adoptedStatus(same, record, undefined, 'now');
    expect(status).toMatchObject({ state: 'running', pid: 100, pidStartTime: 10, pidBootId: 'boot', pidCommand: 'sleep 100', observedGeneration: 4, restarts: 0 });
    const older = adoptedStatus(found(100, 'web', 'a', 10, { spec: 'other' }), record, { ...status, restarts: 3 }, 'now');
    expect(older.observedGeneration).toBe(-1);
    expect(older.restarts).toBe(3);
  });

  it('fingerprints a spec the same whatever its key order', () => {
    const { spec } = recordOf('web', { command: 'sleep 5', environment: { A: '1', B: '2' } });
    const reordered = Object.fromEntries(Object.entries({ ...spec, environment: { B: '2', A: '1' } }).reverse()) as unknown as typeof spec;
    expect(specFingerprint(reordered)).toBe(specFingerprint(spec));
    expect(specFingerprint({ ...spec, command: 'sleep 6' })).not.toBe(specFingerprint(spec));
  });
});
