/**
 * The /proc scan for process group members, and pidusage in one call.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseGroupStat, scanProcessGroups } from '../../src/metrics/process-groups.js';
import { createUsageReader, readUsage } from '../../src/metrics/usage.js';
import { listGroupMembers, readStartTime } from '../../src/runtime/proc.js';
import { trackPids, type PidTracker } from '../helpers/processes.js';
import { createGroups } from './spawn-group.js';

let tracker: PidTracker;
let groups: ReturnType<typeof createGroups>;

beforeEach(() => {
  tracker = trackPids();
  groups = createGroups(tracker);
});

afterEach(async () => {
  groups.killGroups();
  await tracker.assertNoLeftovers();
});

describe('parseGroupStat', () => {
  it('counts fields after the last ")" of a command name with spaces and parentheses', () => {
    const tail = Array.from({ length: 50 }, (_, i) => String(i + 3));
    tail[0] = 'S'; // state, field 3
    tail[2] = '4242'; // pgrp, field 5
    tail[19] = '987654321'; // starttime, field 22
    const text = Buffer.from(`4242 (my ) (app) ${tail.join(' ')}\n`);
    expect(parseGroupStat(text, text.length)).toEqual({ state: 'S'.charCodeAt(0), pgrp: 4242, startTime: 987654321 });
  });

  it('returns null for text that is not a stat line', () => {
    const text = Buffer.from('garbage');
    expect(parseGroupStat(text, text.length)).toBeNull();
    expect(parseGroupStat(Buffer.from('1 (x) S 1 1'), 11)).toBeNull();
  });
});

describe('scanProcessGroups', () => {
  it('finds every live member of each wanted group in one pass, and nothing else', async () => {
    const web = await groups.startFixture('forever.mjs', ['--grandchild'], 2);
    const db = await groups.start('sleep', ['60']);

    const found = scanProcessGroups([web, db, 4_000_000]);

    expect(found.get(web)?.map((m) => m.pid).sort()).toEqual(listGroupMembers(web).sort());
    expect(found.get(db)).toEqual([{ pid: db, startTime: readStartTime(db) }]);
    expect(found.has(4_000_000)).toBe(false);
    expect(scanProcessGroups([]).size).toBe(0);
  });
});

describe('pidusage in one call', () => {
  it('reads live pids and leaves out gone ones, even when the only pid is gone', async () => {
    const pid = await groups.start('sleep', ['60']);
    const usage = await readUsage([pid, 4_000_000], 1000);
    expect([...usage.keys()]).toEqual([pid]);
    expect(usage.get(pid)?.memoryBytes).toBeGreaterThan(0);
    await expect(readUsage([4_000_000], 1000)).resolves.toEqual(new Map());
  });

  it('leaves out a pid seen with another start time while pidusage may hold its old fd', async () => {
    const pid = await groups.start('sleep', ['60']);
    const startTime = readStartTime(pid) as number;
    const read = createUsageReader(1000);

    expect((await read([{ pid, startTime }])).has(pid)).toBe(true);
    // The same pid with another start time is another process: pidusage's history would be stale.
    expect((await read([{ pid, startTime: startTime + 1 }])).has(pid)).toBe(false);
  });
});
