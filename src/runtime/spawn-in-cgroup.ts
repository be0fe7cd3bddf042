/**
 * How a prepared spawn enters its instance cgroup: through the /bin/sh
 * wrapper (inside before it runs anything), or, for a service that runs as
 * another user, by the agent right after the spawn.
 */
import type { ResourcesSpec } from '../core/types.js';
import { cgroupLaunchCommand, type InstanceCgroup } from './cgroups.js';
import type { HomeCgroups } from './home-cgroups.js';
import { checkExecutable, type PreparedSpawn } from './spawn-process.js';

/** What to launch, and the cgroup it goes into (null: none). */
export interface CgroupStart {
  launched: PreparedSpawn;
  cgroup: InstanceCgroup | null;
  /** The agent must write the pid to cgroup.procs after the spawn (the wrapper could not). */
  addAfterSpawn: boolean;
}

/**
 * Readies the instance's cgroup and says how to launch into it. Rejects
 * only as the spawn itself would (command not found, permission denied):
 * a cgroup that cannot be created gives `cgroup: null` (logged by enter).
 *
 * A service with another `user` cannot write cgroup.procs (root's files,
 * and moving a process needs write access to the common ancestor too), so
 * the agent moves it after the spawn event: children it forks in the
 * microseconds between its exec and that write stay outside the cgroup.
 */
export async function startInCgroup(
  prepared: PreparedSpawn,
  resources: ResourcesSpec,
  cgroups: HomeCgroups,
): Promise<CgroupStart> {
  if (!cgroups.useFor(resources)) return { launched: prepared, cgroup: null, addAfterSpawn: false };
  const asOtherUser = prepared.identity.uid !== undefined && prepared.identity.uid !== process.geteuid?.();
  // The wrapper's own spawn succeeds even when the program cannot run: check first, so the error still says why.
  if (!asOtherUser) await checkExecutable(prepared);
  const cgroup = await cgroups.enter(prepared.instance, { memoryLimit: resources.memory_limit, cpuLimit: resources.cpu_limit });
  if (cgroup === null) return { launched: prepared, cgroup: null, addAfterSpawn: false };
  if (asOtherUser) return { launched: prepared, cgroup, addAfterSpawn: true };
  const command = cgroupLaunchCommand(cgroup.path, prepared.command.file, prepared.command.args, prepared.env);
  return { launched: { ...prepared, command }, cgroup, addAfterSpawn: false };
}
