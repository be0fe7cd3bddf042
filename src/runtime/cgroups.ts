/**
 * The cgroup v2 of one instance: its limits (memory.max, cpu.max), a kill
 * that no process of it can escape (not even one that left the process
 * group), and the wrapper that starts a program inside it. Where the
 * cgroups are and in which mode is cgroup-detection.ts's concern; the
 * per-home layout home-cgroups.ts's.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { access, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DNS_1123_LABEL } from '../manifest/names.js';

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
  /**
   * Removes the (empty) cgroup; a cgroup that is already gone is fine.
   * Waits up to 5 s for killed processes to be reaped (until then they
   * still count as members: EBUSY).
   */
  remove(): Promise<void>;
  /** The live processes in it ([] once it is gone). */
  pids(): Promise<number[]>;
}

/** The controllers that limits need. */
export const CONTROLLERS = ['memory', 'cpu'];
/** cpu.max's period; the kernel refuses a quota under 1 ms. */
export const CPU_PERIOD_US = 100_000;
const MIN_CPU_QUOTA_US = 1000;
const KILL_TIMEOUT_MS = 5000;
// Instance names become directory names: never let one reach outside the root.

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

/** Enables memory and cpu for the children of `dir` (its parent must have them enabled). */
export async function enableControllers(dir: string): Promise<void> {
  await writeFile(join(dir, 'cgroup.subtree_control'), CONTROLLERS.map((c) => `+${c}`).join(' '));
}

/**
 * The pids in cgroup.procs of `dir` (zombies are not listed: they left the
 * cgroup at exit). Reads of cgroupfs, like those of /proc, are in-memory
 * syscalls of microseconds: done synchronously, on the restart path, they
 * spare a hop through libuv's thread pool each.
 */
export async function readProcs(dir: string): Promise<number[]> {
  const text = readFileSync(join(dir, 'cgroup.procs'), 'utf8');
  return text.split('\n').filter(Boolean).map(Number);
}

/**
 * Creates (or reuses) the cgroup of `instance` under `parent.root` and,
 * unless `parent.limits` is false (tracking mode), writes its limits. The
 * group's OOM kill takes the whole instance (memory.oom.group), as systemd
 * does. Rejects for a name that would leave the root, or a failed write.
 */
export async function createInstanceCgroup(
  parent: { root: string; limits?: boolean },
  instance: string,
  limits: CgroupLimits,
): Promise<InstanceCgroup> {
  if (!DNS_1123_LABEL.test(instance)) throw new Error(`invalid instance name: ${JSON.stringify(instance)}`);
  const path = join(parent.root, instance);
  mkdirSync(path, { recursive: true }); // synchronous: see readProcs
  if (parent.limits !== false) {
    writeFileSync(join(path, 'memory.max'), formatMemoryMax(limits.memoryLimit));
    writeFileSync(join(path, 'cpu.max'), formatCpuMax(limits.cpuLimit));
    // Best effort: kernels before 4.19 lack it, and a limit without it still holds.
    writeOptional(join(path, 'memory.oom.group'), '1');
  }
  return instanceCgroupAt(path);
}

/** The operations on an existing cgroup directory (which may vanish meanwhile). */
export function instanceCgroupAt(path: string): InstanceCgroup {
  return {
    path,
    addProcess: (pid) => writeFile(join(path, 'cgroup.procs'), String(pid)),
    kill: () => killCgroup(path),
    remove: () => removeCgroup(path),
    pids: () => readProcs(path).catch(() => []),
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

async function removeCgroup(path: string): Promise<void> {
  const deadline = Date.now() + KILL_TIMEOUT_MS;
  for (;;) {
    try {
      await rmdir(path);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || Date.now() > deadline) throw err;
    }
    await sleep(10);
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

/** Variables a POSIX shell sets by itself (dash exports PWD, bash SHLVL): restored so the program gets exactly `env`. */
const SHELL_SET_VARIABLES = ['PWD', 'SHLVL'];

/**
 * Wraps a command so that it enters the cgroup BEFORE it runs: `/bin/sh`
 * writes its own pid to cgroup.procs, then execs the program (same pid, so
 * the process group and `pid` stay the program's, and /proc/PID/cmdline
 * the program's own). addProcess after the spawn would leave a window in
 * which a fast child could fork outside. If the write fails the program
 * runs anyway (the shell's message goes to its stderr): cgroups never stop
 * a start. With `env` (the environment the shell is given), the variables
 * the shell sets itself are put back as they are in `env`.
 */
export function cgroupLaunchCommand(cgroupPath: string, file: string, args: string[], env?: Record<string, string>): { file: string; args: string[] } {
  const restore = env === undefined ? [] : SHELL_SET_VARIABLES.map((name) => (env[name] === undefined ? `unset ${name}` : `export ${name}="$1" && shift`));
  const values = env === undefined ? [] : SHELL_SET_VARIABLES.flatMap((name) => (env[name] === undefined ? [] : [env[name]]));
  const script = ['echo $$ > "$0/cgroup.procs"', ...restore, 'exec "$@"'].join('; ');
  return { file: '/bin/sh', args: ['-c', script, cgroupPath, ...values, file, ...args] };
}

function writeOptional(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch {
    // Best effort, see the caller.
  }
}
