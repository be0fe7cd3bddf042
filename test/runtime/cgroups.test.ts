/**
 * cgroup v2 support: the parsers and formats with sample texts, detection on
 * this machine and on fake trees, and the real create / kill path where the
 * machine allows it.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import type { ProcessExit, ProcessRuntime } from '../../src/core/ports.js';
import { cgroupDirOf, detectCgroups, parseCgroup2Mounts, parseSelfCgroup, type CgroupSupport } from '../../src/runtime/cgroup-detection.js';
import { cgroupLaunchCommand, createInstanceCgroup, formatCpuMax, formatMemoryMax, instanceCgroupAt } from '../../src/runtime/cgroups.js';
import { homeCgroupTag, openHomeCgroups, type HomeCgroups } from '../../src/runtime/home-cgroups.js';
import { createProcessRuntime } from '../../src/runtime/process-runtime.js';
import { currentBootId, readCommandLine, readStat } from '../../src/runtime/proc.js';
import { fixture, fixtureCommand, tmpHome, trackPids, waitFor, isPidAlive, type PidTracker } from '../helpers/processes.js';
import { removeLeftCgroups } from '../helpers/cgroups.js';
import { spawnRequest } from './request.js';

// This machine's: cgroup v1 controllers, and an empty cgroup2 in /sys/fs/cgroup/unified.
const HYBRID_MOUNTINFO = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;
const HYBRID_CGROUP = `9:name=systemd:/
4:memory:/process_api/d7730a178d483bfb178910f153312648
1:cpu:/
0::/
`;
// A pure cgroup v2 host (systemd), with an optional field before the separator.
const UNIFIED_MOUNTINFO = `24 30 0:22 / /sys rw,nosuid shared:7 - sysfs sysfs rw
26 24 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`;

describe('parsing', () => {
  it('finds cgroup2 mounts in mountinfo, and only them', () => {
    expect(parseCgroup2Mounts(HYBRID_MOUNTINFO)).toEqual([{ root: '/', mountPoint: '/sys/fs/cgroup/unified', favorDynMods: false }]);
    expect(parseCgroup2Mounts(UNIFIED_MOUNTINFO)).toEqual([{ root: '/', mountPoint: '/sys/fs/cgroup', favorDynMods: false }]);
    expect(parseCgroup2Mounts(UNIFIED_MOUNTINFO.replace('memory_recursiveprot', 'favordynmods,memory_recursiveprot'))[0].favorDynMods).toBe(true);
    expect(parseCgroup2Mounts('32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n')).toEqual([]);
    expect(parseCgroup2Mounts('')).toEqual([]);
  });

  it('unescapes mount fields and keeps a bind mount root', () => {
    const line = '50 24 0:23 /system.slice/my\\040app.service /mnt/cg\\040x rw - cgroup2 cgroup2 rw\n';
    expect(parseCgroup2Mounts(line)).toEqual([{ root: '/system.slice/my app.service', mountPoint: '/mnt/cg x', favorDynMods: false }]);
  });

  it('reads the v2 path of /proc/self/cgroup, or null on a v1-only host', () => {
    expect(parseSelfCgroup(HYBRID_CGROUP)).toBe('/');
    expect(parseSelfCgroup('0::/system.slice/hxe.service\n')).toBe('/system.slice/hxe.service');
    expect(parseSelfCgroup('4:memory:/x\n1:cpu:/\n')).toBeNull();
  });

  it('places a cgroup path under its mount', () => {
    const root = { root: '/', mountPoint: '/sys/fs/cgroup', favorDynMods: false };
    expect(cgroupDirOf(root, '/')).toBe('/sys/fs/cgroup');
    expect(cgroupDirOf(root, '/system.slice/hxe.service')).toBe('/sys/fs/cgroup/system.slice/hxe.service');
    const bind = { root: '/system.slice', mountPoint: '/mnt/cg', favorDynMods: false };
    expect(cgroupDirOf(bind, '/system.slice/hxe.service')).toBe('/mnt/cg/hxe.service');
    expect(cgroupDirOf(bind, '/system.slice')).toBe('/mnt/cg');
    expect(cgroupDirOf(bind, '/user.slice/x')).toBeNull();
    expect(cgroupDirOf(bind, '/system.slicer')).toBeNull();
  });
});

describe('formats', () => {
  it('writes cpu.max as quota and period in µs, with the kernel minimum quota', () => {
    expect(formatCpuMax(1000)).toBe('100000 100000');
    expect(formatCpuMax(500)).toBe('50000 100000');
    expect(formatCpuMax(2500)).toBe('250000 100000');
    expect(formatCpuMax(1)).toBe('1000 100000');
    expect(formatCpuMax(null)).toBe('max 100000');
  });

  it('writes memory.max in bytes, or max', () => {
    expect(formatMemoryMax(1024 ** 3)).toBe('1073741824');
    expect(formatMemoryMax(null)).toBe('max');
  });
});

/** A fake cgroup tree in a temporary directory: regular files stand for the cgroup files. */
function fakeTree(options: { controllers: string; selfCgroup?: string; mountinfo?: string }) {
  const home = tmpHome();
  const mount = join(home, 'cgroup');
  const own = join(mount, 'system.slice', 'hxe.service');
  mkdirSync(own, { recursive: true });
  writeFileSync(join(own, 'cgroup.controllers'), `${options.controllers}\n`);
  writeFileSync(join(own, 'cgroup.subtree_control'), '');
  writeFileSync(join(own, 'cgroup.procs'), `${process.pid}\n`);
  const mountinfo = join(home, 'mountinfo');
  writeFileSync(mountinfo, options.mountinfo ?? `26 24 0:23 / ${mount} rw shared:9 - cgroup2 cgroup2 rw\n`);
  const selfCgroup = join(home, 'cgroup-self');
  writeFileSync(selfCgroup, options.selfCgroup ?? '0::/system.slice/hxe.service\n');
  return { own, sources: { mountinfo, selfCgroup, pid: process.pid } };
}

describe('detectCgroups', () => {
  it('on this machine: available, or a reason that says what is missing', async () => {
    const support = await detectCgroups();
    if (support.available) {
      expect(support.root).toMatch(/\/hxe$/);
    } else {
      console.info(`cgroups here: ${support.reason}`);
      expect(support.reason).toMatch(/cgroup/);
    }
  });

  it('says why on hosts without cgroup v2, or with the agent outside the mount', async () => {
    const v1 = fakeTree({ controllers: 'cpu memory', mountinfo: HYBRID_MOUNTINFO.split('\n').slice(0, 3).join('\n') });
    expect(await detectCgroups(v1.sources)).toEqual({ available: false, reason: expect.stringMatching(/no cgroup v2 hierarchy is mounted/) });
    const v1Only = fakeTree({ controllers: 'cpu memory', selfCgroup: '4:memory:/x\n' });
    expect(await detectCgroups(v1Only.sources)).toEqual({ available: false, reason: expect.stringMatching(/no "0::" line/) });
    const missingFiles = fakeTree({ controllers: 'cpu memory', selfCgroup: '0::/elsewhere\n' });
    expect(await detectCgroups(missingFiles.sources)).toMatchObject({ reason: expect.stringMatching(/^cannot set up cgroups: ENOENT/) });
  });

  it('with the controllers delegated: enables them and creates hxe/ under the agent cgroup', async () => {
    const tree = fakeTree({ controllers: 'cpuset cpu io memory pids' });
    const support = await detectCgroups(tree.sources);
    expect(support).toEqual({ available: true, root: join(tree.own, 'hxe'), mount: expect.anything(), limits: true });
    expect(readFileSync(join(tree.own, 'cgroup.subtree_control'), 'utf8')).toBe('+memory +cpu');
    expect(readFileSync(join(tree.own, 'hxe', 'cgroup.subtree_control'), 'utf8')).toBe('+memory +cpu');
  });

  it('takes the parent of an hxe-agent leaf (DelegateSubgroup=hxe-agent, or a restarted agent)', async () => {
    const tree = fakeTree({ controllers: 'cpu memory', selfCgroup: '0::/system.slice/hxe.service/hxe-agent\n' });
    expect(await detectCgroups(tree.sources)).toMatchObject({ available: true, root: join(tree.own, 'hxe'), limits: true });
  });

  it('without the memory and cpu controllers but writable: tracking mode, saying why, enabling and moving nothing', async () => {
    const empty = fakeTree({ controllers: 'hugetlb' });
    expect(await detectCgroups(empty.sources)).toEqual({
      available: true,
      root: join(empty.own, 'hxe'),
      mount: { root: '/', mountPoint: dirname(dirname(empty.own)), favorDynMods: false },
      limits: false,
      note: expect.stringMatching(/does not offer the memory and cpu controllers \(offered: hugetlb\)/),
    });
    expect(readFileSync(join(empty.own, 'cgroup.subtree_control'), 'utf8')).toBe('');
    expect(existsSync(join(empty.own, 'hxe', 'cgroup.subtree_control'))).toBe(false);
    expect(existsSync(join(empty.own, 'hxe-agent'))).toBe(false);
    const cpuOnly = fakeTree({ controllers: 'cpu pids' });
    expect(await detectCgroups(cpuOnly.sources)).toMatchObject({ limits: false, note: expect.stringMatching(/the memory controller \(/) });
  });
});

describe('one root per home', () => {
  it('names it h + the first 12 hex digits of sha256(home): stable, and different for another home', () => {
    const tag = homeCgroupTag('/srv/hxe');
    expect(tag).toBe(`h${createHash('sha256').update('/srv/hxe').digest('hex').slice(0, 12)}`);
    expect(homeCgroupTag('/srv/hxe')).toBe(tag);
    expect(homeCgroupTag('/srv/hxe2')).not.toBe(tag);
  });

  it('creates <D>/hxe/<tag> per home, with the controllers enabled for its children only in limits mode', async () => {
    const limits = fakeTree({ controllers: 'cpu memory' });
    const support = await detectCgroups(limits.sources);
    if (!support.available) throw new Error(support.reason);
    const [a, b] = [await openHomeCgroups(support, '/home/a/.hxe'), await openHomeCgroups(support, '/home/b/.hxe')];
    expect(a.root).toBe(join(limits.own, 'hxe', homeCgroupTag('/home/a/.hxe')));
    expect(b.root).not.toBe(a.root);
    expect(readFileSync(join(a.root, 'cgroup.subtree_control'), 'utf8')).toBe('+memory +cpu');
    expect(a.limits).toBe(true);

    const tracking = fakeTree({ controllers: 'hugetlb' });
    const trackingSupport = await detectCgroups(tracking.sources);
    if (!trackingSupport.available) throw new Error(trackingSupport.reason);
    const home = await openHomeCgroups(trackingSupport, '/home/a/.hxe');
    expect(home.limits).toBe(false);
    expect(existsSync(join(home.root, 'cgroup.subtree_control'))).toBe(false);
    const cgroup = await createInstanceCgroup({ root: home.root, limits: false }, 'web', { memoryLimit: 1024, cpuLimit: 100 });
    expect(readdirSync(cgroup.path)).toEqual([]); // no memory.max, cpu.max: nothing to write them to
    await cgroup.remove();
    await home.close();
    expect(existsSync(home.root)).toBe(false);
  });
});

describe('createInstanceCgroup on a fake root', () => {
  it('writes the limits and refuses names that would leave the root', async () => {
    const root = tmpHome();
    const cgroup = await createInstanceCgroup({ root }, 'web-0', { memoryLimit: 512 * 1024 ** 2, cpuLimit: 500 });
    expect(cgroup.path).toBe(join(root, 'web-0'));
    expect(readFileSync(join(cgroup.path, 'memory.max'), 'utf8')).toBe('536870912');
    expect(readFileSync(join(cgroup.path, 'cpu.max'), 'utf8')).toBe('50000 100000');
    expect(readFileSync(join(cgroup.path, 'memory.oom.group'), 'utf8')).toBe('1');
    await expect(createInstanceCgroup({ root }, '../x', { memoryLimit: null, cpuLimit: null })).rejects.toThrow(/invalid instance name/);
  });
});

describe('cgroupLaunchCommand', () => {
  let tracker: PidTracker;
  beforeEach(() => {
    tracker = trackPids();
  });
  afterEach(() => tracker.assertNoLeftovers());

  it('writes the pid to cgroup.procs, then execs the program with the same pid and its arguments intact', async () => {
    const dir = tmpHome(); // a directory standing for the cgroup
    const { file, args } = cgroupLaunchCommand(dir, process.execPath, [fixture('print-args.mjs'), 'a b', '$HOME', "it's"]);
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));

    expect(code).toBe(0);
    expect(JSON.parse(out).argv).toEqual(['a b', '$HOME', "it's"]);
    expect(readFileSync(join(dir, 'cgroup.procs'), 'utf8').trim()).toBe(String(child.pid));
  });

  it('gives the program exactly the environment given, without the PWD or SHLVL the shell would add', async () => {
    const run = async (env: Record<string, string>) => {
      const { file, args } = cgroupLaunchCommand(tmpHome(), process.execPath, [fixture('print-env.mjs'), '--exit'], env);
      const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      await new Promise((resolve) => child.once('exit', resolve));
      return JSON.parse(out).env as Record<string, string>;
    };
    expect(await run({ KEEP: 'x y' })).toEqual({ KEEP: 'x y' });
    expect(await run({ PWD: '/not where it runs', SHLVL: '7', KEEP: '$1' })).toEqual({ PWD: '/not where it runs', SHLVL: '7', KEEP: '$1' });
  });
});

describe('a real instance cgroup', async () => {
  const support: CgroupSupport = await detectCgroups();
  let tracker: PidTracker;
  beforeEach(() => {
    tracker = trackPids();
  });
  afterEach(() => tracker.assertNoLeftovers());

  // Runs only where this test process may set up cgroups (cgroup v2, memory and cpu delegated, a cgroup of its own).
  it.skipIf(!support.available)(`limits (where it can) and kills every process of the instance (skipped: ${support.available ? '' : support.reason})`, async () => {
    if (!support.available) return;
    const cgroup = await createInstanceCgroup(support, `test-${process.pid}`, { memoryLimit: 256 * 1024 ** 2, cpuLimit: 500 });
    onTestFinished(() => cgroup.kill().then(() => cgroup.remove()));
    // Enters the cgroup before the program runs, so the grandchild is born inside.
    const command = cgroupLaunchCommand(cgroup.path, process.execPath, [fixture('forever.mjs'), '--grandchild']);
    const child = spawn(command.file, command.args, { detached: true, stdio: 'ignore' });
    const pid = tracker.add(child.pid as number);
    const other = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    await cgroup.addProcess(tracker.add(other.pid as number));
    // Tracking mode (no cpu controller here): no limit files.
    if (support.limits) expect(readFileSync(join(cgroup.path, 'cpu.max'), 'utf8').trim()).toBe('50000 100000');
    await waitFor(() => readFileSync(join(cgroup.path, 'cgroup.procs'), 'utf8').trim().split('\n').length === 3, { what: 'the grandchild in the cgroup' });

    await cgroup.kill();
    await waitFor(() => !isPidAlive(pid) && !isPidAlive(other.pid as number), { what: 'the processes to die' });
    await cgroup.remove();
    await cgroup.remove(); // already gone: fine
  });
});

/** The pid a fixture wrote to `file`, once it is there. */
function readPidFile(file: string): Promise<number> {
  return waitFor(() => Number(readFileSync(file, 'utf8')) || undefined, { what: `a pid in ${file}` });
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

interface Warning {
  msg?: string;
  count?: number;
  [key: string]: unknown;
}

describe('the process runtime with real cgroups', async () => {
  const support = await detectCgroups();
  const skip = !support.available;
  const why = support.available ? `${support.limits ? 'limits' : 'tracking'} mode` : `skipped: ${support.reason}`;
  let tracker: PidTracker;
  let home: string;
  let cgroups: HomeCgroups;
  let runtime: ProcessRuntime;
  let warnings: Warning[];
  let exits: ProcessExit[];
  /** Escaped grandchildren: neither children nor group members of this process, so the tracker cannot see them. */
  let escaped: number[];

  const logger = { warn: (obj: object, msg?: string) => void warnings.push({ ...obj, msg }) };

  beforeEach(async () => {
    if (!support.available) return;
    tracker = trackPids();
    home = tmpHome();
    warnings = [];
    exits = [];
    escaped = [];
    cgroups = await openHomeCgroups(support, home, logger);
    runtime = createProcessRuntime({ logDir: join(home, 'logs'), cgroups, logger });
    runtime.onExit((exit) => exits.push(exit));
  });

  afterEach(async () => {
    if (!support.available) return;
    runtime.close();
    const alive = escaped.filter(isPidAlive);
    alive.forEach(killQuietly);
    await cgroups.close();
    const left = await removeLeftCgroups(cgroups.root);
    await tracker.assertNoLeftovers();
    expect(alive, 'escaped grandchildren left alive').toEqual([]);
    expect(left, `cgroup directories left behind; warnings: ${JSON.stringify(warnings)}`).toEqual([]);
  });

  /** Starts escape.mjs as instance `instance`; returns the pids of its main process and of its escaped grandchild. */
  async function startEscaping(instance = 'web', target: ProcessRuntime = runtime) {
    const pidFile = join(tmpHome(), 'escaped.pid');
    const spawned = await target.spawn(spawnRequest({ command: fixtureCommand('escape.mjs', pidFile) }, instance));
    tracker.add(spawned.pid);
    const grandchild = await readPidFile(pidFile);
    escaped.push(grandchild);
    expect(readStat(grandchild)?.pgrp).not.toBe(spawned.pid); // it did leave the process group
    return { spawned, grandchild, pidFile };
  }

  it.skipIf(skip)(`puts the instance and its escaped grandchild in <root>/<tag>/<instance>; a stop kills both and removes it (${why})`, async () => {
    const { spawned, grandchild, pidFile } = await startEscaping();
    const dir = join(support.available ? support.root : '', homeCgroupTag(home), 'web');
    expect(cgroups.root).toBe(dirname(dir));
    expect(cgroups.cgroupOf(spawned.pid)).toBe(dir);
    expect(cgroups.cgroupOf(grandchild)).toBe(dir);
    expect(readFileSync(`/proc/${spawned.pid}/cgroup`, 'utf8')).toMatch(new RegExp(`^0::.*/hxe/${homeCgroupTag(home)}/web$`, 'm'));
    // The recorded command is the user's, and what /proc shows once the wrapper has exec'd.
    expect(spawned.pidCommand).toBe([process.execPath, fixture('escape.mjs'), pidFile].join(' '));
    expect(readCommandLine(spawned.pid)).toBe(spawned.pidCommand);

    await runtime.stop(spawned.pid, 'SIGTERM', 5000);
    expect(isPidAlive(spawned.pid)).toBe(false);
    expect(isPidAlive(grandchild)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    expect(warnings).toContainEqual(expect.objectContaining({ count: 1, msg: expect.stringMatching(/left the process group/) }));
  });

  it.skipIf(skip)(`kill -9 of the main process: what is left in its cgroup dies before the next start (${why})`, async () => {
    const first = await startEscaping();
    process.kill(first.spawned.pid, 'SIGKILL');
    await waitFor(() => exits.some((e) => e.pid === first.spawned.pid), { what: 'the exit' });
    // Started at once, as a restart without backoff would be: the kill of the leftovers comes first.
    const second = await startEscaping();
    expect(isPidAlive(first.grandchild)).toBe(false);
    expect(isPidAlive(second.grandchild)).toBe(true);
    expect(warnings).toContainEqual(expect.objectContaining({ count: 1, pids: [first.grandchild], msg: expect.stringMatching(/after the main process exited/) }));
    await runtime.stop(second.spawned.pid, 'SIGTERM', 5000);
    expect(isPidAlive(second.grandchild)).toBe(false);
  });

  it.skipIf(skip)(`an adopted instance (the previous agent's) is stopped with its cgroup too (${why})`, async () => {
    const { spawned, grandchild } = await startEscaping();
    runtime.close(); // the agent goes; the instance stays
    const nextCgroups = await openHomeCgroups(support as Extract<typeof support, { available: true }>, home, logger);
    const next = createProcessRuntime({ logDir: join(home, 'logs'), cgroups: nextCgroups, logger });
    try {
      expect(next.adopt(spawned.pid, { startTime: spawned.pidStartTime, bootId: currentBootId(), command: spawned.pidCommand })).toBe(true);
      await nextCgroups.sweep(); // claimed by the adoption: left alone
      expect(isPidAlive(grandchild)).toBe(true);
      await next.stop(spawned.pid, 'SIGTERM', 5000);
      expect(isPidAlive(grandchild)).toBe(false);
      expect(existsSync(join(cgroups.root, 'web'))).toBe(false);
    } finally {
      next.close();
      await nextCgroups.close();
    }
  });

  it.skipIf(skip)(`sweep empties and removes the cgroups nobody claims, and only those (${why})`, async () => {
    const orphanDir = join(cgroups.root, 'orphan');
    mkdirSync(orphanDir);
    const orphan = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
    await instanceCgroupAt(orphanDir).addProcess(tracker.add(orphan.pid as number));
    const kept = await cgroups.enter('kept', { memoryLimit: null, cpuLimit: null });
    const sleeper = spawn('sleep', ['1001'], { detached: true, stdio: 'ignore' });
    await kept?.addProcess(tracker.add(sleeper.pid as number));

    await cgroups.sweep();
    await waitFor(() => !isPidAlive(orphan.pid as number), { what: 'the orphan to die' });
    expect(existsSync(orphanDir)).toBe(false);
    expect(isPidAlive(sleeper.pid as number)).toBe(true);
    expect(warnings).toContainEqual(expect.objectContaining({ count: 1, msg: expect.stringMatching(/no longer runs/) }));
    await cgroups.release(join(cgroups.root, 'kept'), 'stop');
    expect(isPidAlive(sleeper.pid as number)).toBe(false);
  });

  it.skipIf(skip)(`still says why a command cannot start, and leaves no cgroup behind (${why})`, async () => {
    await expect(runtime.spawn(spawnRequest({ command: 'no-such-command-hxe' }))).rejects.toThrow('command not found: no-such-command-hxe');
    const dir = tmpHome();
    writeFileSync(join(dir, 'x'), '#!/bin/sh\n');
    await expect(runtime.spawn(spawnRequest({ command: './x', working_dir: dir }))).rejects.toThrow('permission denied: ./x');
    await cgroups.close();
    expect(existsSync(cgroups.root)).toBe(false);
  });

  const asRoot = process.geteuid?.() === 0 && /^nobody:/m.test(readFileSync('/etc/passwd', 'utf8'));
  it.skipIf(skip || !asRoot)(`user = "nobody": the agent moves the process into its cgroup right after the spawn (${why}, needs root)`, async () => {
    const spawned = await runtime.spawn(spawnRequest({ command: 'sleep 1000', user: 'nobody', working_dir: '/' }));
    tracker.add(spawned.pid);
    const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${spawned.pid}/status`, 'utf8'))?.[1];
    expect(uid).not.toBe('0');
    expect(cgroups.cgroupOf(spawned.pid)).toBe(join(cgroups.root, 'web'));
    expect(readCommandLine(spawned.pid)).toBe('sleep 1000');
    await runtime.stop(spawned.pid, 'SIGTERM', 5000);
    expect(existsSync(join(cgroups.root, 'web'))).toBe(false);
  });
});

describe('the process runtime when a cgroup cannot be created', () => {
  it('starts the instance without one, and says so', async () => {
    const tracker = trackPids();
    const home = tmpHome();
    const warnings: Warning[] = [];
    const logger = { warn: (obj: object, msg?: string) => void warnings.push({ ...obj, msg }) };
    // A plain directory stands for the hierarchy; a file where the cgroup should go makes mkdir fail.
    const fake = { available: true as const, root: join(home, 'hxe'), mount: { root: '/', mountPoint: home, favorDynMods: false }, limits: false };
    const cgroups = await openHomeCgroups(fake, home, logger);
    writeFileSync(join(cgroups.root, 'web'), '');
    const runtime = createProcessRuntime({ logDir: join(home, 'logs'), cgroups, logger });
    const spawned = await runtime.spawn(spawnRequest({ command: fixtureCommand('forever.mjs') }));
    tracker.add(spawned.pid);
    expect(isPidAlive(spawned.pid)).toBe(true);
    expect(readCommandLine(spawned.pid)).toBe(spawned.pidCommand); // not wrapped
    expect(warnings).toContainEqual(expect.objectContaining({ msg: expect.stringMatching(/cannot create the cgroup of the instance: starting it without/) }));
    await runtime.stop(spawned.pid, 'SIGTERM', 5000);
    runtime.close();
    await cgroups.close();
    await tracker.assertNoLeftovers();
  });
});
