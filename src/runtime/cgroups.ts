/**
 * cgroup v2, one cgroup per instance, where the host lets us: hard memory
 * and CPU limits enforced by the kernel, and a kill that no process of the
 * instance can escape (not even one that left the process group).
 *
 * Layout under the agent's own cgroup D (from /proc/self/cgroup):
 *
 *   D/                 controllers enabled for children: memory cpu
 *   D/hxe-agent/       the agent itself, moved here if D held it
 *   D/hxe/             controllers enabled for children: memory cpu
 *   D/hxe/<instance>/  memory.max, cpu.max, the instance's processes
 *
 * cgroup v2's "no internal processes" rule: a cgroup (other than the real
 * root) that holds processes cannot enable controllers for its children
 * (writing cgroup.subtree_control fails with EBUSY). The agent starts in D,
 * so it first moves itself into the leaf D/hxe-agent, as systemd asks of a
 * service with Delegate=yes (an agent found in a cgroup named hxe-agent
 * takes its parent as D: systemd's DelegateSubgroup=hxe-agent, or an
 * earlier agent's move). If D holds other processes too, hxe does not move
 * them: cgroups are then unavailable, with that reason.
 */
import { constants } from 'node:fs';
import { access, mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Whether hxe can put instances in cgroups, and where. */
export type CgroupSupport = { available: true; root: string } | { available: false; reason: string };

/** Limits of one instance, as in ResourcesSpec. */
export interface CgroupLimits {
  /** Bytes, or null for no limit. */
  memoryLimit: number | null;
  /** Millicores (1000 = one core), or null for no limit. */
  cpuLimit: number | null;
}

/** The cgroup of one instance. */
export interface InstanceCgroup {
  path: string;
  /** Moves a process (with all its threads) into the cgroup; its later children are born inside. */
  addProcess(pid: number): Promise<void>;
  /** Kills every process in the cgroup and resolves once it is empty; rejects if it is not within 5 s. */
  kill(): Promise<void>;
  /** Removes the (empty) cgroup; a cgroup that is already gone is fine. */
  remove(): Promise<void>;
}

/** Where detection reads from; tests point these at sample files. */
export interface CgroupSources {
  mountinfo: string;
  selfCgroup: string;
  pid: number;
}

const SYSTEM_SOURCES: CgroupSources = { mountinfo: '/proc/self/mountinfo', selfCgroup: '/proc/self/cgroup', pid: process.pid };
const CONTROLLERS = ['memory', 'cpu'];
const AGENT_LEAF = 'hxe-agent';
/** cpu.max's period; the kernel refuses a quota under 1 ms. */
export const CPU_PERIOD_US = 100_000;
const MIN_CPU_QUOTA_US = 1000;
const KILL_TIMEOUT_MS = 5000;
// Instance names become directory names: never let one reach outside the root.
const SAFE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A cgroup2 mount from /proc/PID/mountinfo. */
export interface Cgroup2Mount {
  /** The directory of the hierarchy that is mounted (not "/" with a bind mount or a cgroup namespace). */
  root: string;
  mountPoint: string;
}

/** The cgroup2 mounts in the text of /proc/PID/mountinfo (v1 hierarchies are ignored). */
export function parseCgroup2Mounts(mountinfo: string): Cgroup2Mount[] {
  const mounts: Cgroup2Mount[] = [];
  for (const line of mountinfo.split('\n')) {
    // "36 35 98:0 /root /mnt opt1 opt2 - fstype source super": optional fields end at "-".
    const fields = line.split(' ');
    const separator = fields.indexOf('-');
    if (separator < 6 || fields[separator + 1] !== 'cgroup2') continue;
    mounts.push({ root: unescapeMountField(fields[3]), mountPoint: unescapeMountField(fields[4]) });
  }
  return mounts;
}

/** mountinfo writes space, tab, newline and backslash as octal escapes (\040). */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** The cgroup v2 path ("0::/path" line) of /proc/PID/cgroup, or null on a v1-only host. */
export function parseSelfCgroup(text: string): string | null {
  const line = text.split('\n').find((l) => l.startsWith('0::'));
  return line === undefined ? null : line.slice(3);
}

/** The directory of cgroup `path` under a mount, or null if the mount does not show it. */
export function cgroupDirOf(mount: Cgroup2Mount, path: string): string | null {
  if (mount.root === '/') return withoutTrailingSlash(join(mount.mountPoint, path));
  if (path !== mount.root && !path.startsWith(`${mount.root}/`)) return null;
  return withoutTrailingSlash(join(mount.mountPoint, path.slice(mount.root.length)));
}

function withoutTrailingSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** cpu.max for millicores: "<quota> <period>" in µs, e.g. 1000m → "100000 100000"; null → "max 100000". */
export function formatCpuMax(millicores: number | null, periodUs = CPU_PERIOD_US): string {
  if (millicores === null) return `max ${periodUs}`;
  const quota = Math.max(MIN_CPU_QUOTA_US, Math.round((millicores * periodUs) / 1000));
  return `${quota} ${periodUs}`;
}

/** memory.max for bytes; null → "max". */
export function formatMemoryMax(bytes: number | null): string {
  return bytes === null ? 'max' : String(Math.floor(bytes));
}

/**
 * Finds a writable cgroup v2 directory with the memory and cpu controllers
 * and prepares it: moves the agent into a leaf of its own if needed (see
 * the top of this file), enables the controllers and creates `hxe/`.
 * Never rejects: `{ available: false, reason }` says what is missing (no
 * cgroup2 mount, v1-only host, controllers bound to v1, not delegated,
 * other processes in the agent's cgroup, or a failed write).
 */
export async function detectCgroups(sources: CgroupSources = SYSTEM_SOURCES): Promise<CgroupSupport> {
  try {
    const dir = await locateOwnCgroup(sources);
    if (typeof dir !== 'string') return dir;
    const controllers = (await readFile(join(dir, 'cgroup.controllers'), 'utf8')).split(/\s+/).filter(Boolean);
    const missing = CONTROLLERS.filter((c) => !controllers.includes(c));
    if (missing.length > 0) {
      const offered = controllers.join(' ') || 'none';
      const what = `the ${missing.join(' and ')} controller${missing.length > 1 ? 's' : ''}`;
      return unavailable(`the cgroup v2 ${dir} does not offer ${what} (offered: ${offered}); on a hybrid v1/v2 host they belong to the v1 hierarchies`);
    }
    if (!(await isWritable(join(dir, 'cgroup.subtree_control')))) {
      return unavailable(`the cgroup ${dir} is not delegated to this user (cannot write cgroup.subtree_control)`);
    }
    return { available: true, root: await prepareRoot(dir, sources.pid) };
  } catch (err) {
    return unavailable(`cannot set up cgroups: ${(err as Error).message}`);
  }
}

function unavailable(reason: string): CgroupSupport {
  return { available: false, reason };
}

async function locateOwnCgroup(sources: CgroupSources): Promise<string | CgroupSupport> {
  const mounts = parseCgroup2Mounts(await readFile(sources.mountinfo, 'utf8'));
  if (mounts.length === 0) return unavailable('no cgroup v2 hierarchy is mounted (cgroup v1 only)');
  const path = parseSelfCgroup(await readFile(sources.selfCgroup, 'utf8'));
  if (path === null) return unavailable('this process is in no cgroup v2 (no "0::" line in /proc/self/cgroup)');
  for (const mount of mounts) {
    const dir = cgroupDirOf(mount, path);
    // Already in our leaf (moved by an earlier agent, or systemd's DelegateSubgroup=hxe-agent): D is its parent.
    if (dir !== null) return basename(dir) === AGENT_LEAF ? dirname(dir) : dir;
  }
  return unavailable(`this process's cgroup ${path} is not visible under any cgroup2 mount`);
}

async function isWritable(path: string): Promise<boolean> {
  return access(path, constants.W_OK).then(() => true, () => false);
}

/** Enables the controllers in `dir` (moving the agent out of it if that is needed) and under `dir/hxe`. */
async function prepareRoot(dir: string, pid: number): Promise<string> {
  await enableControllers(dir).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EBUSY') throw err;
    await moveSelfToLeaf(dir, pid);
    await enableControllers(dir);
  });
  const root = join(dir, 'hxe');
  await mkdir(root, { recursive: true });
  await enableControllers(root);
  return root;
}

async function enableControllers(dir: string): Promise<void> {
  await writeFile(join(dir, 'cgroup.subtree_control'), CONTROLLERS.map((c) => `+${c}`).join(' '));
}

/** EBUSY: `dir` holds processes. Only the agent may be moved; anyone else's processes are not ours to move. */
async function moveSelfToLeaf(dir: string, pid: number): Promise<void> {
  const others = (await readProcs(dir)).filter((p) => p !== pid);
  if (others.length > 0) {
    throw new Error(
      `the cgroup ${dir} holds other processes (${others.slice(0, 5).join(', ')}), and a cgroup with processes cannot ` +
        'enable controllers for its children (cgroup v2 "no internal processes" rule): run the agent in a cgroup of its own ' +
        '(systemd: a service with Delegate=yes)',
    );
  }
  const leaf = join(dir, AGENT_LEAF);
  await mkdir(leaf, { recursive: true });
  await writeFile(join(leaf, 'cgroup.procs'), String(pid));
}

async function readProcs(dir: string): Promise<number[]> {
  const text = await readFile(join(dir, 'cgroup.procs'), 'utf8');
  return text.split('\n').filter(Boolean).map(Number);
}

/**
 * Creates (or, for an adopted instance, reuses) the cgroup of `instance`
 * under a root found by detectCgroups, and writes its limits. The group's
 * OOM kill takes the whole instance (memory.oom.group), as systemd does.
 */
export async function createInstanceCgroup(
  support: Extract<CgroupSupport, { available: true }>,
  instance: string,
  limits: CgroupLimits,
): Promise<InstanceCgroup> {
  if (!SAFE_NAME.test(instance)) throw new Error(`invalid instance name: ${JSON.stringify(instance)}`);
  const path = join(support.root, instance);
  await mkdir(path, { recursive: true });
  await writeFile(join(path, 'memory.max'), formatMemoryMax(limits.memoryLimit));
  await writeFile(join(path, 'cpu.max'), formatCpuMax(limits.cpuLimit));
  // Best effort: kernels before 4.19 lack it, and a limit without it still holds.
  await writeFile(join(path, 'memory.oom.group'), '1').catch(() => undefined);
  return {
    path,
    addProcess: (pid) => writeFile(join(path, 'cgroup.procs'), String(pid)),
    kill: () => killCgroup(path),
    remove: () => rmdir(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    }),
  };
}

/**
 * cgroup.kill (Linux 5.14+) kills every process at once, forks included.
 * Without it, SIGKILL each listed pid and look again, until no fork is left.
 */
async function killCgroup(path: string): Promise<void> {
  const hasKillFile = await access(join(path, 'cgroup.kill')).then(() => true, () => false);
  if (hasKillFile) await writeFile(join(path, 'cgroup.kill'), '1');
  const deadline = Date.now() + KILL_TIMEOUT_MS;
  for (;;) {
    const pids = await readProcs(path).catch(() => []);
    if (pids.length === 0) return;
    if (Date.now() > deadline) throw new Error(`cgroup ${path} still holds ${pids.join(', ')} after SIGKILL`);
    if (!hasKillFile) for (const pid of pids) killQuietly(pid);
    await sleep(20);
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

/**
 * Wraps a command so that it enters the cgroup BEFORE it runs: `/bin/sh`
 * writes its own pid to cgroup.procs, then execs the program (same pid, so
 * the process group and `pid` stay the program's). addProcess after the
 * spawn would leave a window in which a fast child could fork outside.
 */
export function cgroupLaunchCommand(cgroupPath: string, file: string, args: string[]): { file: string; args: string[] } {
  const script = 'echo $$ > "$0/cgroup.procs" && exec "$@"';
  return { file: '/bin/sh', args: ['-c', script, cgroupPath, file, ...args] };
}
