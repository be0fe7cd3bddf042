import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, listGroupMembers, parseStat, readStartTime } from '../../src/runtime/proc.js';
import { trackPids, waitFor } from '../helpers/processes.js';

const tracker = trackPids();
afterEach(() => tracker.assertNoLeftovers());

describe('parseStat', () => {
  it('reads the fields after the last ")" of a command name with spaces and parentheses', () => {
    const tail = Array.from({ length: 49 }, (_, i) => String(i + 3));
    tail[0] = 'S'; // state
    tail[1] = '1'; // ppid
    tail[2] = '4242'; // pgrp
    tail[19] = '987654'; // starttime, field 22
    const stat = parseStat(`4242 (my ) (app) ${tail.join(' ')}\n`);
    expect(stat).toEqual({ pid: 4242, state: 'S', ppid: 1, pgrp: 4242, startTime: 987654 });
  });

  it('returns null for text that is not a stat line', () => {
    expect(parseStat('')).toBeNull();
    expect(parseStat('garbage')).toBeNull();
  });
});

describe('reading /proc', () => {
  it('tells a live process, its start time, its group, and its end', async () => {
    const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    const pid = tracker.add(child.pid as number);
    const startTime = readStartTime(pid);
    expect(startTime).toBeGreaterThan(0);
    expect(isAlive(pid, startTime)).toBe(true);
    expect(isAlive(pid, null)).toBe(true);
    expect(isAlive(pid, (startTime as number) + 1)).toBe(false);
    expect(listGroupMembers(pid)).toEqual([pid]);
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid, startTime), { what: 'sleep to die' });
    expect(listGroupMembers(pid)).toEqual([]);
    expect(readStartTime(999_999_999)).toBeNull();
  });
});
