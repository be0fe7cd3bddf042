/**
 * cgroup v2 support: the parsers and formats with sample texts, detection on
 * this machine and on fake trees, and the real create / kill path where the
 * machine allows it.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cgroupDirOf,
  cgroupLaunchCommand,
  createInstanceCgroup,
  detectCgroups,
  formatCpuMax,
  formatMemoryMax,
  parseCgroup2Mounts,
  parseSelfCgroup,
  type CgroupSupport,
} from '../../src/runtime/cgroups.js';
import { fixture, tmpHome, trackPids, waitFor, isPidAlive, type PidTracker } from '../helpers/processes.js';

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
    expect(parseCgroup2Mounts(HYBRID_MOUNTINFO)).toEqual([{ root: '/', mountPoint: '/sys/fs/cgroup/unified' }]);
    expect(parseCgroup2Mounts(UNIFIED_MOUNTINFO)).toEqual([{ root: '/', mountPoint: '/sys/fs/cgroup' }]);
    expect(parseCgroup2Mounts('32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n')).toEqual([]);
    expect(parseCgroup2Mounts('')).toEqual([]);
  });

  it('unescapes mount fields and keeps a bind mount root', () => {
    const line = '50 24 0:23 /system.slice/my\\040app.service /mnt/cg\\040x rw - cgroup2 cgroup2 rw\n';
    expect(parseCgroup2Mounts(line)).toEqual([{ root: '/system.slice/my app.service', mountPoint: '/mnt/cg x' }]);
  });

  it('reads the v2 path of /proc/self/cgroup, or null on a v1-only host', () => {
    expect(parseSelfCgroup(HYBRID_CGROUP)).toBe('/');
    expect(parseSelfCgroup('0::/system.slice/hxe.service\n')).toBe('/system.slice/hxe.service');
    expect(parseSelfCgroup('4:memory:/x\n1:cpu:/\n')).toBeNull();
  });

  it('places a cgroup path under its mount', () => {
    const root = { root: '/', mountPoint: '/sys/fs/cgroup' };
    expect(cgroupDirOf(root, '/')).toBe('/sys/fs/cgroup');
    expect(cgroupDirOf(root, '/system.slice/hxe.service')).toBe('/sys/fs/cgroup/system.slice/hxe.service');
    const bind = { root: '/system.slice', mountPoint: '/mnt/cg' };
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

  it('says why on hosts without cgroup v2, without the controllers, or with the agent outside the mount', async () => {
    const v1 = fakeTree({ controllers: 'cpu memory', mountinfo: HYBRID_MOUNTINFO.split('\n').slice(0, 3).join('\n') });
    expect(await detectCgroups(v1.sources)).toEqual({ available: false, reason: expect.stringMatching(/no cgroup v2 hierarchy is mounted/) });
    const v1Only = fakeTree({ controllers: 'cpu memory', selfCgroup: '4:memory:/x\n' });
    expect(await detectCgroups(v1Only.sources)).toEqual({ available: false, reason: expect.stringMatching(/no "0::" line/) });
    const empty = fakeTree({ controllers: 'hugetlb' });
    expect(await detectCgroups(empty.sources)).toEqual({
      available: false,
      reason: expect.stringMatching(/does not offer the memory and cpu controllers \(offered: hugetlb\)/),
    });
    const cpuOnly = fakeTree({ controllers: 'cpu pids' });
    expect(await detectCgroups(cpuOnly.sources)).toMatchObject({ reason: expect.stringMatching(/the memory controller \(/) });
    const missingFiles = fakeTree({ controllers: 'cpu memory', selfCgroup: '0::/elsewhere\n' });
    expect(await detectCgroups(missingFiles.sources)).toMatchObject({ reason: expect.stringMatching(/^cannot set up cgroups: ENOENT/) });
  });

  it('with the controllers delegated: enables them and creates hxe/ under the agent cgroup', async () => {
    const tree = fakeTree({ controllers: 'cpuset cpu io memory pids' });
    const support = await detectCgroups(tree.sources);
    expect(support).toEqual({ available: true, root: join(tree.own, 'hxe') });
    expect(readFileSync(join(tree.own, 'cgroup.subtree_control'), 'utf8')).toBe('+memory +cpu');
    expect(readFileSync(join(tree.own, 'hxe', 'cgroup.subtree_control'), 'utf8')).toBe('+memory +cpu');
  });

  it('takes the parent of an hxe-agent leaf (DelegateSubgroup=hxe-agent, or a restarted agent)', async () => {
    const tree = fakeTree({ controllers: 'cpu memory', selfCgroup: '0::/system.slice/hxe.service/hxe-agent\n' });
    expect(await detectCgroups(tree.sources)).toEqual({ available: true, root: join(tree.own, 'hxe') });
  });
});

describe('createInstanceCgroup on a fake root', () => {
  it('writes the limits and refuses names that would leave the root', async () => {
    const root = tmpHome();
    const cgroup = await createInstanceCgroup({ available: true, root }, 'web-0', { memoryLimit: 512 * 1024 ** 2, cpuLimit: 500 });
    expect(cgroup.path).toBe(join(root, 'web-0'));
    expect(readFileSync(join(cgroup.path, 'memory.max'), 'utf8')).toBe('536870912');
    expect(readFileSync(join(cgroup.path, 'cpu.max'), 'utf8')).toBe('50000 100000');
    expect(readFileSync(join(cgroup.path, 'memory.oom.group'), 'utf8')).toBe('1');
    await expect(createInstanceCgroup({ available: true, root }, '../x', { memoryLimit: null, cpuLimit: null })).rejects.toThrow(/invalid instance name/);
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
});

describe('a real instance cgroup', async () => {
  const support: CgroupSupport = await detectCgroups();
  let tracker: PidTracker;
  beforeEach(() => {
    tracker = trackPids();
  });
  afterEach(() => tracker.assertNoLeftovers());

  // Runs only where this test process may set up cgroups (cgroup v2, memory and cpu delegated, a cgroup of its own).
  it.skipIf(!support.available)(`limits and kills every process of the instance (skipped: ${support.available ? '' : support.reason})`, async () => {
    if (!support.available) return;
    const cgroup = await createInstanceCgroup(support, `test-${process.pid}`, { memoryLimit: 256 * 1024 ** 2, cpuLimit: 500 });
    // Enters the cgroup before the program runs, so the grandchild is born inside.
    const command = cgroupLaunchCommand(cgroup.path, process.execPath, [fixture('forever.mjs'), '--grandchild']);
    const child = spawn(command.file, command.args, { detached: true, stdio: 'ignore' });
    const pid = tracker.add(child.pid as number);
    const other = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    await cgroup.addProcess(tracker.add(other.pid as number));
    expect(readFileSync(join(cgroup.path, 'cpu.max'), 'utf8').trim()).toBe('50000 100000');
    await waitFor(() => readFileSync(join(cgroup.path, 'cgroup.procs'), 'utf8').trim().split('\n').length === 3, { what: 'the grandchild in the cgroup' });

    await cgroup.kill();
    await waitFor(() => !isPidAlive(pid) && !isPidAlive(other.pid as number), { what: 'the processes to die' });
    await cgroup.remove();
    await cgroup.remove(); // already gone: fine
  });
});
