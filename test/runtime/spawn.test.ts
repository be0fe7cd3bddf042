/**
 * The real runtime starting real processes: argv, environment, cwd, errors,
 * identity, log files and file descriptors.
 */
import { chmodSync, openSync, closeSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProcessExit, ProcessRuntime, SpawnRequest } from '../../src/core/ports.js';
import { listInheritedFds } from '../../src/runtime/inherited-fds.js';
import { createProcessRuntime } from '../../src/runtime/process-runtime.js';
import { helpersEnded, LAUNCHERS } from '../helpers/launchers.js';
import { listGroupMembers, readStartTime } from '../../src/runtime/proc.js';
import { logPaths } from '../../src/runtime/spawn-process.js';
import { fixtureCommand, isPidAlive, tmpHome, trackPids, waitFor, type PidTracker } from '../helpers/processes.js';
import { readErr, readOut, spawnRequest } from './request.js';

const AGENT_ENV = { PATH: process.env.PATH, KEEP: 'agent', FROM_FILE: 'agent', FROM_SPEC: 'agent', SECRET_SRC: 's3cret' };

describe.each(LAUNCHERS)('%s', (_name, launcher) => {
  let logDir: string;
  let runtime: ProcessRuntime;
  let tracker: PidTracker;
  let exits: ProcessExit[];
  let started: number[];

  beforeEach(() => {
    tracker = trackPids();
    logDir = join(tmpHome(), 'logs');
    runtime = createProcessRuntime({ logDir, agentEnv: AGENT_ENV, launcher: launcher() });
    exits = [];
    started = [];
    runtime.onExit((exit) => exits.push(exit));
  });

  afterEach(async () => {
    // A failed test may leave its processes: stop them before checking for leftovers.
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

  /** Runs a request to its exit and returns its stdout. */
  async function runToExit(request: SpawnRequest): Promise<string> {
    const pid = await start(request);
    await waitFor(() => exits.some((e) => e.pid === pid), { what: `exit of ${pid}` });
    return readOut(logDir, request.instance);
  }

  async function stopAll(...pids: number[]): Promise<void> {
    for (const pid of pids) await runtime.stop(pid, 'SIGTERM', 5000);
  }

  describe('spawn', () => {
    it('runs the command split by POSIX rules, with args, as the program itself', async () => {
      const command = `${fixtureCommand('print-args.mjs')} 'a b' "c \\"d\\"" e\\ f ''`;
      const out = await runToExit(spawnRequest({ command, args: ['g h', "it's"] }));
      expect(JSON.parse(out).argv).toEqual(['a b', 'c "d"', 'e f', '', 'g h', "it's"]);

      const pid = await start(spawnRequest({ command: fixtureCommand('forever.mjs') }, 'forever'));
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      expect(cmdline[0]).toBe(process.execPath); // not a shell
      await stopAll(pid);
    });

    it('resolves once the process runs, with its start time', async () => {
      const spawned = await runtime.spawn(spawnRequest({ command: fixtureCommand('forever.mjs') }));
      started.push(tracker.add(spawned.pid));
      expect(isPidAlive(spawned.pid)).toBe(true);
      expect(spawned.pidStartTime).toBe(readStartTime(spawned.pid));
      expect(Number.isNaN(Date.parse(spawned.startedAt))).toBe(false);
      await stopAll(spawned.pid);
    });

    it('runs shell = true through /bin/sh -c: pipes, variables, quoted args', async () => {
      const command = `printf '%s|' "$HXE_SERVICE" | tr a-z A-Z && printf '%s\\n'`;
      const out = await runToExit(spawnRequest({ command, shell: true, args: ['a b', "it's"] }));
      expect(out).toBe("WEB|a b\nit's\n");
    });

    it('composes the environment: agent < env_file < environment, env:VAR, HXE_*; nothing else', async () => {
      process.env.HXE_TEST_NOT_IN_AGENT_ENV = 'leak';
      const envFile = join(tmpHome(), 'web.env');
      writeFileSync(envFile, 'FROM_FILE=file\nFROM_SPEC=file\nFILE_ONLY="quoted value"\n');
      const environment = { FROM_SPEC: 'spec', REF: 'env:SECRET_SRC' };
      const request = { ...spawnRequest({ command: fixtureCommand('print-env.mjs', '--exit'), env_file: envFile, environment }), index: 2 };
      const out = await runToExit(request);
      delete process.env.HXE_TEST_NOT_IN_AGENT_ENV;
      expect(JSON.parse(out).env).toEqual({
        ...AGENT_ENV,
        FROM_FILE: 'file',
        FROM_SPEC: 'spec',
        FILE_ONLY: 'quoted value',
        REF: 's3cret',
        HXE_SERVICE: 'web',
        HXE_INSTANCE: '2',
      });
    });

    it('drops a variable removed from the spec at the next start', async () => {
      const command = fixtureCommand('print-env.mjs', '--exit', 'A', 'B');
      const first = await runToExit(spawnRequest({ command, environment: { A: '1', B: '2' } }, 'first'));
      const second = await runToExit(spawnRequest({ command, environment: { A: '1' } }, 'second'));
      expect(JSON.parse(first).env).toEqual({ A: '1', B: '2' });
      expect(JSON.parse(second).env).toEqual({ A: '1', B: null });
    });

    it('rejects an env:VAR the agent does not have, naming it', async () => {
      const request = spawnRequest({ command: 'sleep 30', environment: { DB: 'env:NO_SUCH_VAR' } });
      await expect(runtime.spawn(request)).rejects.toThrow("environment.DB: env:NO_SUCH_VAR is not set in the agent's environment");
    });

    it('runs in working_dir, or in the agent cwd without one', async () => {
      const dir = tmpHome();
      const inDir = await runToExit(spawnRequest({ command: fixtureCommand('print-env.mjs', '--exit', 'X'), working_dir: dir }, 'a'));
      const inAgentCwd = await runToExit(spawnRequest({ command: fixtureCommand('print-env.mjs', '--exit', 'X') }, 'b'));
      expect(JSON.parse(inDir).cwd).toBe(dir);
      expect(JSON.parse(inAgentCwd).cwd).toBe(process.cwd());
    });
  });

  describe('spawn failures say why', () => {
    it('command not found', async () => {
      await expect(runtime.spawn(spawnRequest({ command: 'no-such-command-hxe --flag' }))).rejects.toThrow(
        'command not found: no-such-command-hxe',
      );
    });

    it('permission denied', async () => {
      const dir = tmpHome();
      writeFileSync(join(dir, 'x'), '#!/bin/sh\necho hi\n');
      chmodSync(join(dir, 'x'), 0o644);
      await expect(runtime.spawn(spawnRequest({ command: './x', working_dir: dir }))).rejects.toThrow('permission denied: ./x');
    });

    it('working_dir does not exist', async () => {
      await expect(runtime.spawn(spawnRequest({ command: 'sleep 1', working_dir: '/opt/hxe-no-such-dir' }))).rejects.toThrow(
        'working_dir does not exist: /opt/hxe-no-such-dir',
      );
    });

    it('env_file cannot be read', async () => {
      await expect(runtime.spawn(spawnRequest({ command: 'sleep 1', env_file: '/nonexistent/web.env' }))).rejects.toThrow(
        'env_file cannot be read: /nonexistent/web.env (ENOENT)',
      );
    });

    it('the log file cannot be opened, told as the log, not the command', async () => {
      const file = join(tmpHome(), 'not-a-dir');
      writeFileSync(file, '');
      const blocked = createProcessRuntime({ logDir: join(file, 'logs'), agentEnv: AGENT_ENV, launcher: launcher() });
      try {
        await expect(blocked.spawn(spawnRequest({ command: 'sleep 1' }))).rejects.toThrow(
          `log file cannot be opened: ${join(file, 'logs')}/web.out.log (ENOTDIR)`,
        );
      } finally {
        blocked.close();
      }
    });

    it('an instance name that would leave the log directory', async () => {
      await expect(runtime.spawn(spawnRequest({ command: 'sleep 1' }, '../evil'))).rejects.toThrow('invalid instance name');
    });
  });

  describe('user', () => {
    const root = process.getuid?.() === 0;

    it.skipIf(root)('needs the agent to run as root', async () => {
      await expect(runtime.spawn(spawnRequest({ command: 'sleep 30', user: 'nobody' }))).rejects.toThrow(
        'user "nobody" needs the agent to run as root',
      );
    });

    it.runIf(root)('runs the process as that user and its group', async () => {
      const pid = await start(spawnRequest({ command: 'sleep 30', user: 'nobody', working_dir: '/' }));
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      expect(status).toMatch(/^Uid:\s+65534\s+65534\s+65534\s+65534$/m);
      expect(status).toMatch(/^Gid:\s+65534\s+65534\s+65534\s+65534$/m);
      expect(status).toMatch(/^Groups:\s*$/m); // root's supplementary groups are dropped
      await stopAll(pid);
    });
  });

  describe('logs and file descriptors', () => {
    it('writes stdout and stderr to 0600 files, and keeps writing when the runtime is closed', async () => {
      const pid = await start(spawnRequest({ command: fixtureCommand('chatty.mjs', '100', '20', '10') }));
      await waitFor(() => readOut(logDir).includes('out 5'), { what: 'first lines' });
      runtime.close(); // as if the agent died
      await waitFor(() => readOut(logDir).includes('out 99') && readErr(logDir).includes('err 99'), { what: 'last lines' });
      await waitFor(() => !isPidAlive(pid), { what: 'chatty to finish' });
      const paths = logPaths(logDir, 'web');
      expect(statSync(paths.out).mode & 0o777).toBe(0o600);
      expect(statSync(paths.err).mode & 0o777).toBe(0o600);
      expect(readOut(logDir).split('\n')).toHaveLength(101);
    });

    it('appends to the log files across restarts', async () => {
      await runToExit(spawnRequest({ command: 'echo one' }));
      await runToExit(spawnRequest({ command: 'echo two' }));
      expect(readOut(logDir)).toBe('one\ntwo\n');
    });

    it('passes no descriptor of the agent to the child: only stdin, stdout, stderr', async () => {
      // Descriptors this test process inherited without close-on-exec were closed by the runtime.
      expect(listInheritedFds()).toEqual([]);
      const extra = openSync(join(tmpHome(), 'agent-private'), 'w');
      try {
        const pid = await start(spawnRequest({ command: 'sleep 30' }));
        // A listing can catch a file the program opens as it starts (ld.so.cache, a library, a locale: fd 3 for an
        // instant), on a loaded machine even twice in a row. An inherited descriptor is in every listing: one
        // listing with only 0, 1 and 2 proves there is none.
        const onlyStdio = () => readdirSync(`/proc/${pid}/fd`).sort().join(' ') === '0 1 2' || undefined;
        await waitFor(onlyStdio, { timeoutMs: 10_000, what: `a listing of /proc/${pid}/fd with only 0, 1 and 2` });
        expect(readlinkSync(`/proc/${pid}/fd/0`)).toBe('/dev/null');
        expect(readlinkSync(`/proc/${pid}/fd/1`)).toBe(logPaths(logDir, 'web').out);
        expect(readlinkSync(`/proc/${pid}/fd/2`)).toBe(logPaths(logDir, 'web').err);
        await stopAll(pid);
      } finally {
        closeSync(extra);
      }
    });

    it('reports the exit of a child whose grandchild still holds its log fds', async () => {
      const pid = await start(spawnRequest({ command: 'sleep 30 & echo started; exit 3', shell: true }));
      await waitFor(() => exits.find((e) => e.pid === pid), { what: 'exit of the shell' });
      expect(exits).toEqual([{ pid, code: 3, signal: null }]);
      expect(listGroupMembers(pid)).toHaveLength(1); // the sleep, still running
      await runtime.stop(pid, 'SIGTERM', 5000);
      expect(listGroupMembers(pid)).toEqual([]);
    });
  });
});
