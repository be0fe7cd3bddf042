/**
 * The real runtime watching and stopping real processes: exit events of
 * children and adopted processes, group stop, SIGKILL escalation.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProcessExit, ProcessIdentity, ProcessRuntime, SpawnRequest } from '../../src/core/ports.js';
import { createProcessRuntime } from '../../src/runtime/process-runtime.js';
import { helpersEnded, LAUNCHERS } from '../helpers/launchers.js';
import { currentBootId, listGroupMembers, readCommandLine, readStartTime, readStat } from '../../src/runtime/proc.js';
import { fixtureCommand, isPidAlive, tmpHome, trackPids, waitFor, type PidTracker } from '../helpers/processes.js';
import { readOut, spawnRequest } from './request.js';

const POLL_MS = 50;

describe.each(LAUNCHERS)('%s', (_name, launcher) => {
  let logDir: string;
  let runtime: ProcessRuntime;
  let tracker: PidTracker;
  let exits: ProcessExit[];
  let started: number[];

  beforeEach(() => {
    tracker = trackPids();
    logDir = join(tmpHome(), 'logs');
    runtime = createProcessRuntime({ logDir, pollIntervalMs: POLL_MS, launcher: launcher() });
    exits = [];
    started = [];
    runtime.onExit((exit) => exits.push(exit));
  });

  afterEach(async () => {
    for (const pgid of started) await runtime.stop(pgid, 'SIGKILL', 1000);
    runtime.close();
    await helpersEnded();
    await tracker.assertNoLeftovers();
  });

  async function start(request: SpawnRequest): Promise<number> {
    const { pid } = await runtime.spawn(request);
    started.push(pid);
    return tracker.add(pid);
  }

  /** Pid printed by a fixture as `<word> <pid>`. */
  async function printedPid(word: string): Promise<number> {
    const match = await waitFor(() => new RegExp(`^${word} (\\d+)$`, 'm').exec(readOut(logDir)), { what: `"${word} <pid>"` });
    return Number(match[1]);
  }

  /**
   * Starts a `sleep` in its own group that is not even our child (its parent
   * shell exits, PID 1 inherits it), as an earlier agent would leave it.
   */
  async function startForeignSleep(): Promise<number> {
    const script = 'setsid sleep 30 </dev/null >/dev/null 2>&1 & echo $!';
    const pid = Number(execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' }));
    // The shell may exit before its child ran setsid: until then it is in our group, not its own.
    await waitFor(() => readStat(pid)?.pgrp === pid, { what: `sleep ${pid} to lead its own group` });
    started.push(pid);
    return tracker.add(pid);
  }

  describe('exit events', () => {
    it('reports the exit code, once', async () => {
      const pid = await start(spawnRequest({ command: fixtureCommand('crash-after.mjs', '50', '3') }));
      await waitFor(() => exits.length > 0, { what: 'an exit' });
      // A later child's exit, reported by the same watcher, comes after anything the first one could still report.
      const later = await start(spawnRequest({ command: fixtureCommand('exit-with.mjs', '0') }, 'later'));
      await waitFor(() => exits.some((exit) => exit.pid === later), { what: 'the later exit' });
      expect(exits).toEqual([{ pid, code: 3, signal: null }, { pid: later, code: 0, signal: null }]);
    });

    it('reports exit code 0 and a killing signal', async () => {
      const ok = await start(spawnRequest({ command: fixtureCommand('exit-with.mjs', '0') }, 'ok'));
      const killed = await start(spawnRequest({ command: fixtureCommand('forever.mjs') }, 'killed'));
      process.kill(killed, 'SIGKILL');
      await waitFor(() => exits.length === 2, { what: 'two exits' });
      expect(exits).toContainEqual({ pid: ok, code: 0, signal: null });
      expect(exits).toContainEqual({ pid: killed, code: null, signal: 'SIGKILL' });
    });

    it('logs a listener that throws and still tells the others', async () => {
      const warnings: object[] = [];
      const logged = createProcessRuntime({ logDir, logger: { warn: (obj) => warnings.push(obj) }, launcher: launcher() });
      const seen: ProcessExit[] = [];
      logged.onExit(() => {
        throw new Error('listener bug');
      });
      logged.onExit((exit) => seen.push(exit));
      const { pid } = await logged.spawn(spawnRequest({ command: fixtureCommand('exit-with.mjs', '4') }));
      tracker.add(pid);
      await waitFor(() => seen.length === 1, { what: 'the exit' });
      expect(seen).toEqual([{ pid, code: 4, signal: null }]);
      expect(warnings).toEqual([expect.objectContaining({ pid })]);
      logged.close();
    });

    it('stops telling listeners that unsubscribed', async () => {
      const late: ProcessExit[] = [];
      const unsubscribe = runtime.onExit((exit) => late.push(exit));
      unsubscribe();
      await start(spawnRequest({ command: fixtureCommand('exit-with.mjs', '1') }));
      await waitFor(() => exits.length === 1, { what: 'an exit' });
      expect(late).toEqual([]);
    });
  });

  describe('stop', () => {
    it('stops the whole group with the stop signal', async () => {
      const pid = await start(spawnRequest({ command: fixtureCommand('forever.mjs', '--grandchild') }));
      const grandchild = await printedPid('grandchild');
      await runtime.stop(pid, 'SIGTERM', 10_000);
      expect(listGroupMembers(pid)).toEqual([]);
      expect(isPidAlive(grandchild)).toBe(false);
      // The exit was reported before stop resolved.
      expect(exits).toEqual([{ pid, code: null, signal: 'SIGTERM' }]);
    });

    it('escalates to SIGKILL for a group that ignores SIGTERM, grandchild included', async () => {
      const pid = await start(spawnRequest({ command: fixtureCommand('ignore-sigterm.mjs') }));
      const grandchild = await printedPid('grandchild');
      await runtime.stop(pid, 'SIGTERM', 300);
      expect(isPidAlive(pid)).toBe(false);
      expect(isPidAlive(grandchild)).toBe(false);
      expect(exits).toEqual([{ pid, code: null, signal: 'SIGKILL' }]);
    });

    it('accepts a signal name without SIG', async () => {
      const pid = await start(spawnRequest({ command: fixtureCommand('forever.mjs') }));
      await runtime.stop(pid, 'INT', 10_000);
      expect(exits).toEqual([{ pid, code: null, signal: 'SIGINT' }]);
    });

    it('resolves at once for a group already gone', async () => {
      const pid = await start(spawnRequest({ command: fixtureCommand('exit-with.mjs', '0') }));
      await waitFor(() => exits.length === 1, { what: 'an exit' });
      await runtime.stop(pid, 'SIGTERM', 10_000);
    });

    it('refuses an unknown signal and the pids that would signal everything', async () => {
      await expect(runtime.stop(123_456, 'SIGNOPE', 100)).rejects.toThrow('unknown signal: SIGNOPE');
      await expect(runtime.stop(0, 'SIGTERM', 100)).rejects.toThrow('refusing to signal process group 0');
      await expect(runtime.stop(1, 'SIGTERM', 100)).rejects.toThrow('refusing to signal process group 1');
      await expect(runtime.stop(-5, 'SIGTERM', 100)).rejects.toThrow('refusing to signal process group -5');
    });
  });

  describe('adopt', () => {
    it('watches a live process that is not its child and reports its exit by polling', async () => {
      const pid = await startForeignSleep();
      expect(readStat(pid)?.ppid).not.toBe(process.pid);
      expect(runtime.adopt(pid, identityOf(pid))).toBe(true);
      await runtime.stop(pid, 'SIGTERM', 10_000);
      await waitFor(() => exits.length === 1, { what: 'the adopted exit' });
      expect(exits).toEqual([{ pid, code: null, signal: null }]);
    });

    it('adopts without a known start time when the command line matches', async () => {
      const pid = await startForeignSleep();
      expect(runtime.adopt(pid, { ...identityOf(pid), startTime: null })).toBe(true);
      process.kill(pid, 'SIGKILL');
      await waitFor(() => exits.length === 1, { what: 'the adopted exit' });
      expect(exits).toEqual([{ pid, code: null, signal: null }]);
    });

    it('refuses a pid whose start time differs (reused pid), and a dead pid', async () => {
      const pid = await startForeignSleep();
      expect(runtime.adopt(pid, { ...identityOf(pid), startTime: (readStartTime(pid) as number) + 1 })).toBe(false);
      expect(runtime.adopt(999_999_999, { startTime: null, bootId: null, command: null })).toBe(false);
      await runtime.stop(pid, 'SIGTERM', 10_000);
    });

    it('refuses a pid recorded in another boot, and one without start time whose command differs', async () => {
      const pid = await startForeignSleep();
      expect(runtime.adopt(pid, { ...identityOf(pid), bootId: 'another-boot' })).toBe(false);
      expect(runtime.adopt(pid, { ...identityOf(pid), startTime: null, command: 'sleep 1' })).toBe(false);
      await runtime.stop(pid, 'SIGTERM', 10_000);
    });

    it('adopts a process with the recorded start time whose command line changed (an exec or a new title)', async () => {
      const pid = await startForeignSleep();
      expect(runtime.adopt(pid, { ...identityOf(pid), command: '/bin/sh -c sleep 600' })).toBe(true);
      await runtime.stop(pid, 'SIGTERM', 10_000);
      await waitFor(() => exits.length === 1, { what: 'the adopted exit' });
    });

    it('stops reporting after close, leaving the process running', async () => {
      const pid = await startForeignSleep();
      runtime.adopt(pid, identityOf(pid));
      runtime.close();
      // A second runtime, polling as often, watches the same process and two others killed before and after it.
      const [before, after] = [await startForeignSleep(), await startForeignSleep()];
      const second = createProcessRuntime({ logDir, pollIntervalMs: POLL_MS, launcher: launcher() });
      const seen: number[] = [];
      second.onExit((exit) => seen.push(exit.pid));
      try {
        for (const adopted of [pid, before, after]) expect(second.adopt(adopted, identityOf(adopted))).toBe(true);
        const killAndSee = async (target: number) => {
          process.kill(target, 'SIGKILL');
          await waitFor(() => seen.includes(target), { what: `the exit of ${target}` });
        };
        // The poll that saw `before` gone saw `pid` still running, after the close.
        await killAndSee(before);
        expect(seen).toEqual([before]);
        await killAndSee(pid);
        // A poll of the second runtime one interval after the one that saw `pid` gone: the closed one's timer, had it run, came first.
        await killAndSee(after);
        expect(seen).toEqual([before, pid, after]);
        expect(exits).toEqual([]);
      } finally {
        second.close();
      }
    });
  });

  /** The identity an agent would have recorded for `pid`. */
  function identityOf(pid: number): ProcessIdentity {
    return { startTime: readStartTime(pid), bootId: currentBootId(), command: readCommandLine(pid) };
  }
});
