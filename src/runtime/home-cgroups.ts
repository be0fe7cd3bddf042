/**
 * The cgroups of one home's instances: `<D>/hxe/<tag>/<instance>`, where
 * tag names the HXE_HOME. Several agents (one per home) may share the
 * cgroup D; each touches only its own tag, so one agent never kills or
 * removes another's instances.
 *
 * Every operation on an instance's cgroup (create, kill and remove, sweep)
 * runs in a queue of its own, so that the kill of what a dead run left can
 * never hit the next run, started right after.
 *
 * After an exit, the emptied cgroup is kept for the restart that usually
 * follows, and removed only if it stays unused for IDLE_REMOVE_MS: removing
 * a cgroup just emptied often fails (EBUSY) until the kernel has let go of
 * the dead processes, and waiting for that would delay every restart.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readdir, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { cgroupDirOf, parseSelfCgroup, type CgroupSupport } from './cgroup-detection.js';
import { createInstanceCgroup, enableControllers, instanceCgroupAt, type CgroupLimits, type InstanceCgroup } from './cgroups.js';
import type { ResourcesSpec } from '../core/types.js';
import type { WarnLogger } from './exit-watcher.js';
import { homeId } from './home-id.js';

/**
 * Which instances get a cgroup (`agent { cgroups = ... }`). `always`: all.
 * `auto`: all where moving a process into a cgroup is cheap (the mount has
 * favordynmods), otherwise only those whose limits the kernel can enforce;
 * the others stay process groups, because each move stalls every fork()
 * of the host for ~10 ms.
 */
export type CgroupPolicy = 'auto' | 'always';

/** Why a cgroup is released: the log line says what the processes killed in it were. */
export type ReleaseReason = 'stop' | 'exit' | 'orphan';

/** The cgroups of one home; see the top of this file. */
export interface HomeCgroups {
  /** `<D>/hxe/<tag>`. */
  readonly root: string;
  /** Whether memory.max and cpu.max are written (false: tracking only). */
  readonly limits: boolean;
  /** Whether an instance with these resources gets a cgroup (see CgroupPolicy); the others run as process groups only. */
  useFor(resources: ResourcesSpec): boolean;
  /**
   * Readies the cgroup of `instance` for a start: kills what an earlier run
   * left in it (logged), creates it, writes its limits, and claims it until
   * release. Resolves null (logged) if that fails: the instance then starts
   * without a cgroup. Never rejects.
   */
  enter(instance: string, limits: CgroupLimits): Promise<InstanceCgroup | null>;
  /** The instance cgroup of this home that `pid` is in, or null (gone, or in none of ours). */
  cgroupOf(pid: number): string | null;
  /** Claims the cgroup of an adopted instance, so that sweep leaves it alone. */
  claim(path: string): void;
  /** Kills what is left in the cgroup (logged with how many), removes it, drops the claim. Never rejects. */
  release(path: string, reason: ReleaseReason): Promise<void>;
  /** Releases every cgroup of this home that nobody claims: leftovers of runs that ended while no agent ran. */
  sweep(): Promise<void>;
  /** Waits for pending work, then removes the home's directory if it is empty (services kept running keep it). */
  close(): Promise<void>;
}

/** How long a cgroup emptied by an exit waits for a restart before it is removed. */
const IDLE_REMOVE_MS = 5_000;

/** `h` + the home's id (home-id.ts): fixed length, and the same home always gets the same tag. */
export function homeCgroupTag(home: string): string {
  return `h${homeId(home)}`;
}

/**
 * Creates `<support.root>/<tag of home>` (with the memory and cpu
 * controllers enabled for its children in limits mode). Rejects if it
 * cannot be created.
 */
export async function openHomeCgroups(
  support: Extract<CgroupSupport, { available: true }>,
  home: string,
  logger?: WarnLogger,
  policy: CgroupPolicy = 'always',
): Promise<HomeCgroups> {
  const root = join(support.root, homeCgroupTag(home));
  await mkdir(root, { recursive: true });
  if (support.limits) await enableControllers(root);
  const claimed = new Set<string>();
  const queues = new Map<string, Promise<void>>();
  /** Cgroups emptied by an exit, waiting for a restart: the timer that removes them otherwise. */
  const idle = new Map<string, NodeJS.Timeout>();

  function keepIdle(path: string): void {
    clearTimeout(idle.get(path));
    const timer = setTimeout(() => {
      idle.delete(path);
      void serial(path, async () => {
        if (!idle.has(path) && !claimed.has(path)) await releaseNow(path, 'exit');
      });
    }, IDLE_REMOVE_MS);
    idle.set(path, timer.unref());
  }

  function stopIdle(path: string): void {
    clearTimeout(idle.get(path));
    idle.delete(path);
  }

  /** Runs `job` after every earlier job on `path`. */
  function serial<T>(path: string, job: () => Promise<T>): Promise<T> {
    const result = (queues.get(path) ?? Promise.resolve()).then(job);
    const settled = result.then(() => undefined, () => undefined);
    queues.set(path, settled);
    void settled.then(() => {
      if (queues.get(path) === settled) queues.delete(path);
    });
    return result;
  }

  async function killLeftovers(path: string, reason: ReleaseReason | 'earlier run'): Promise<void> {
    const cgroup = instanceCgroupAt(path);
    const pids = await cgroup.pids();
    if (pids.length === 0) return;
    await cgroup.kill();
    logger?.warn({ cgroup: path, pids, count: pids.length }, `killed ${pids.length} process(es) ${LEFT_BY[reason]}`);
  }

  async function releaseNow(path: string, reason: ReleaseReason): Promise<void> {
    claimed.delete(path);
    try {
      await killLeftovers(path, reason);
      await instanceCgroupAt(path).remove();
    } catch (err) {
      logger?.warn({ cgroup: path, err: (err as Error).message }, 'cannot empty and remove the cgroup of an instance');
    }
  }

  return {
    root,
    limits: support.limits,
    useFor: (resources) => policy === 'always' || support.mount.favorDynMods
      || (support.limits && (resources.memory_limit !== null || resources.cpu_limit !== null)),
    enter: (instance, limits) => serial(join(root, instance), async () => {
      const path = join(root, instance);
      stopIdle(path);
      try {
        await killLeftovers(path, 'earlier run');
        const cgroup = await createInstanceCgroup({ root, limits: support.limits }, instance, limits);
        claimed.add(path);
        return cgroup;
      } catch (err) {
        logger?.warn({ cgroup: path, err: (err as Error).message }, 'cannot create the cgroup of the instance: starting it without');
        return null;
      }
    }),
    cgroupOf(pid) {
      const dir = procCgroupDir(support, pid);
      return dir !== null && dirname(dir) === root ? dir : null;
    },
    claim: (path) => void claimed.add(path),
    release: (path, reason) => serial(path, async () => {
      if (reason !== 'exit') {
        stopIdle(path);
        return releaseNow(path, reason);
      }
      claimed.delete(path);
      await killLeftovers(path, reason).catch((err: Error) =>
        logger?.warn({ cgroup: path, err: err.message }, 'cannot empty the cgroup of an instance'));
      keepIdle(path);
    }),
    async sweep() {
      const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
      await Promise.all(entries.filter((e) => e.isDirectory()).map((e) => {
        const path = join(root, e.name);
        return serial(path, async () => {
          if (!claimed.has(path)) await releaseNow(path, 'orphan');
        });
      }));
    },
    async close() {
      for (const path of [...idle.keys()]) {
        stopIdle(path);
        void serial(path, () => releaseNow(path, 'exit'));
      }
      while (queues.size > 0) await Promise.all(queues.values());
      await rmdir(root).catch(() => undefined); // EBUSY: instances kept running still have their cgroups
    },
  };
}

const LEFT_BY: Record<ReleaseReason | 'earlier run', string> = {
  stop: 'that had left the process group',
  exit: 'left in the cgroup after the main process exited',
  orphan: 'left in the cgroup of an instance that no longer runs',
  'earlier run': 'left in the cgroup by an earlier run, before starting',
};

/** The directory of the cgroup v2 that `pid` is in (from /proc/PID/cgroup), or null. */
function procCgroupDir(support: Extract<CgroupSupport, { available: true }>, pid: number): string | null {
  try {
    const path = parseSelfCgroup(readFileSync(`/proc/${pid}/cgroup`, 'utf8'));
    return path === null ? null : cgroupDirOf(support.mount, path);
  } catch {
    return null;
  }
}
