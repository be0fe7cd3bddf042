/**
 * Where the agents of the tests put their cgroups, found without writing
 * anything (detectCgroups would create directories, or move this process).
 */
import { accessSync, constants, existsSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { cgroupDirOf, parseCgroup2Mounts, parseSelfCgroup } from '../../src/runtime/cgroup-detection.js';
import { instanceCgroupAt } from '../../src/runtime/cgroups.js';
import { homeCgroupTag } from '../../src/runtime/home-cgroups.js';

/** The cgroup D of agents started by this process, if it is a writable cgroup v2; else why not. */
export function agentCgroup(): { dir: string; reason: null } | { dir: null; reason: string } {
  try {
    const path = parseSelfCgroup(readFileSync('/proc/self/cgroup', 'utf8'));
    if (path === null) return { dir: null, reason: 'no cgroup v2 here' };
    for (const mount of parseCgroup2Mounts(readFileSync('/proc/self/mountinfo', 'utf8'))) {
      const found = cgroupDirOf(mount, path);
      if (found === null) continue;
      const dir = basename(found) === 'hxe-agent' ? dirname(found) : found;
      accessSync(dir, constants.W_OK);
      accessSync(join(dir, 'cgroup.procs'), constants.W_OK);
      return { dir, reason: null };
    }
    return { dir: null, reason: 'no cgroup2 mount shows this process' };
  } catch (err) {
    return { dir: null, reason: `no writable cgroup v2: ${(err as Error).message}` };
  }
}

/** `<D>/hxe/<tag>`: where the agent of `home` puts its instances' cgroups (null: no writable cgroup v2). */
export function homeCgroupDir(home: string): string | null {
  const { dir } = agentCgroup();
  return dir === null ? null : join(dir, 'hxe', homeCgroupTag(home));
}

/**
 * Empties and removes the cgroups left in `dir` and `dir` itself; returns
 * what was left ([] if nothing). For cleanups: a leftover is a bug.
 */
export async function removeLeftCgroups(dir: string | null): Promise<string[]> {
  if (dir === null || !existsSync(dir)) return [];
  const children = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(dir, e.name));
  for (const child of children) {
    const cgroup = instanceCgroupAt(child);
    await cgroup.kill();
    await cgroup.remove();
  }
  rmdirSync(dir);
  return [dir, ...children];
}
