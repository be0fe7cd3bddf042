/**
 * Where hxe can put instances in cgroups, decided once at agent start.
 *
 * Two modes. "limits": layout under the agent's own cgroup D (from
 * /proc/self/cgroup):
 *
 *   D/                       controllers enabled for children: memory cpu
 *   D/hxe-agent/             the agent itself, moved here if D held it
 *   D/hxe/                   controllers enabled for children: memory cpu
 *   D/hxe/<home>/            one per HXE_HOME (home-cgroups.ts), same controllers
 *   D/hxe/<home>/<instance>/ memory.max, cpu.max, the instance's processes
 *
 * "tracking": D is writable but limits are impossible (the controllers are
 * missing, as in the empty v2 hierarchy of a hybrid v1/v2 host; or not
 * delegated; or D holds other processes): the same D/hxe/<home>/<instance>
 * tree without limits and without enabling any controller, so nobody has to
 * move (a cgroup without controllers for its children may hold processes).
 *
 * cgroup v2's "no internal processes" rule: a cgroup (other than the real
 * root) that holds processes cannot enable controllers for its children
 * (writing cgroup.subtree_control fails with EBUSY). The agent starts in D,
 * so for limits it first moves itself into the leaf D/hxe-agent, as systemd asks of a
 * service with Delegate=yes (an agent found in a cgroup named hxe-agent
 * takes its parent as D: systemd's DelegateSubgroup=hxe-agent, or an
 * earlier agent's move). If D holds other processes too, hxe does not move
 * them: tracking mode, with that reason.
 */
import { constants } from 'node:fs';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CONTROLLERS, enableControllers, readProcs } from './cgroups.js';

/**
 * Whether hxe can put instances in cgroups, and where: `root` is D/hxe,
 * `limits` says whether memory.max and cpu.max can be written under it
 * (if not, `note` says why).
 */
export type CgroupSupport =
  | { available: true; root: string; mount: Cgroup2Mount; limits: boolean; note?: string }
  | { available: false; reason: string };

/** Where detection reads from; tests point these at sample files. */
export interface CgroupSources {
  mountinfo: string;
  selfCgroup: string;
  pid: number;
}

const SYSTEM_SOURCES: CgroupSources = { mountinfo: '/proc/self/mountinfo', selfCgroup: '/proc/self/cgroup', pid: process.pid };
const AGENT_LEAF = 'hxe-agent';

/** A cgroup2 mount from /proc/PID/mountinfo. */
export interface Cgroup2Mount {
  /** The directory of the hierarchy that is mounted (not "/" with a bind mount or a cgroup namespace). */
  root: string;
  mountPoint: string;
  /**
   * Mounted with `favordynmods` (Linux 6.0+): moving a process into a
   * cgroup no longer waits for an RCU grace period while holding the lock
   * every fork() of the host takes. Without it, each move stalls all forks
   * for ~10 ms: a start of 100 instances in cgroups took 3.5 s instead of 0.9 s.
   */
  favorDynMods: boolean;
}

/** The cgroup2 mounts in the text of /proc/PID/mountinfo (v1 hierarchies are ignored). */
export function parseCgroup2Mounts(mountinfo: string): Cgroup2Mount[] {
  const mounts: Cgroup2Mount[] = [];
  for (const line of mountinfo.split('\n')) {
    // "36 35 98:0 /root /mnt opt1 opt2 - fstype source super": optional fields end at "-".
    const fields = line.split(' ');
    const separator = fields.indexOf('-');
    if (separator < 6 || fields[separator + 1] !== 'cgroup2') continue;
    const superOptions = (fields[separator + 3] ?? '').split(',');
    mounts.push({ root: unescapeMountField(fields[3]), mountPoint: unescapeMountField(fields[4]), favorDynMods: superOptions.includes('favordynmods') });
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

/**
 * Finds the agent's cgroup v2 directory D and prepares it, in the best mode
 * the host allows: "limits" when D offers the memory and cpu controllers
 * and they can be enabled for children (moving the agent into a leaf of its
 * own if needed, see the top of this file); "tracking" when D is writable
 * but limits are impossible (`note` says why: controllers bound to v1, not
 * delegated, other processes in D); otherwise `{ available: false, reason }`
 * (no cgroup2 mount, v1-only host, D not writable, or a failed write).
 * Creates D/hxe in both modes. Never rejects.
 */
export async function detectCgroups(sources: CgroupSources = SYSTEM_SOURCES): Promise<CgroupSupport> {
  try {
    const own = await locateOwnCgroup(sources);
    if ('available' in own) return own;
    const { dir, mount } = own;
    let note = await whyNoLimits(dir);
    if (note === null) {
      try {
        return { available: true, root: await prepareRoot(dir, sources.pid), mount, limits: true };
      } catch (err) {
        note = `cannot enable the memory and cpu controllers: ${(err as Error).message}`;
      }
    }
    if (!(await isWritable(dir)) || !(await isWritable(join(dir, 'cgroup.procs')))) {
      return unavailable(`the cgroup ${dir} is not writable by this user (${note})`);
    }
    const root = join(dir, 'hxe');
    await mkdir(root, { recursive: true });
    return { available: true, root, mount, limits: false, note };
  } catch (err) {
    return unavailable(`cannot set up cgroups: ${(err as Error).message}`);
  }
}

/** Why D cannot give limits, from what can be read; null if it may. */
async function whyNoLimits(dir: string): Promise<string | null> {
  const controllers = (await readFile(join(dir, 'cgroup.controllers'), 'utf8')).split(/\s+/).filter(Boolean);
  const missing = CONTROLLERS.filter((c) => !controllers.includes(c));
  if (missing.length > 0) {
    const offered = controllers.join(' ') || 'none';
    const what = `the ${missing.join(' and ')} controller${missing.length > 1 ? 's' : ''}`;
    return `the cgroup v2 ${dir} does not offer ${what} (offered: ${offered}); on a hybrid v1/v2 host they belong to the v1 hierarchies`;
  }
  if (!(await isWritable(join(dir, 'cgroup.subtree_control')))) {
    return `the cgroup ${dir} is not delegated to this user (cannot write cgroup.subtree_control)`;
  }
  return null;
}

function unavailable(reason: string): CgroupSupport {
  return { available: false, reason };
}

async function locateOwnCgroup(sources: CgroupSources): Promise<{ dir: string; mount: Cgroup2Mount } | CgroupSupport> {
  const mounts = parseCgroup2Mounts(await readFile(sources.mountinfo, 'utf8'));
  if (mounts.length === 0) return unavailable('no cgroup v2 hierarchy is mounted (cgroup v1 only)');
  const path = parseSelfCgroup(await readFile(sources.selfCgroup, 'utf8'));
  if (path === null) return unavailable('this process is in no cgroup v2 (no "0::" line in /proc/self/cgroup)');
  for (const mount of mounts) {
    const dir = cgroupDirOf(mount, path);
    // Already in our leaf (moved by an earlier agent, or systemd's DelegateSubgroup=hxe-agent): D is its parent.
    if (dir !== null) return { dir: basename(dir) === AGENT_LEAF ? dirname(dir) : dir, mount };
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
