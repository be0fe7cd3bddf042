/**
 * Reading Linux's /proc: process start times, liveness and group members.
 * Every reader returns null / false / [] for a process that is gone (or
 * vanishes while being read): processes die at any time, that is not an error.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { ProcessIdentity } from '../core/ports.js';
import { hasEnded, parseStatFields, readStatInto, STAT_BUFFER_SIZE, type StatFields } from '../core/proc-stat.js';

/** The fields of /proc/PID/stat that hxe uses. */
export interface ProcStat {
  pid: number;
  /** R, S, D, Z (zombie), T, X (dead), ... */
  state: string;
  ppid: number;
  pgrp: number;
  /** Clock ticks since boot: with the pid, identifies one process across pid reuse. */
  startTime: number;
}

/** A stat of `pid` from its parsed fields (core/proc-stat.ts: the one parser). */
function statOf(pid: number, fields: StatFields): ProcStat {
  return { pid, state: String.fromCharCode(fields.state), ppid: fields.ppid, pgrp: fields.pgrp, startTime: fields.startTime };
}

/** Parses the text of /proc/PID/stat; null if the text is not a stat line. */
export function parseStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const pid = Number(text.slice(0, open).trim());
  if (open < 0 || !Number.isInteger(pid)) return null;
  const bytes = Buffer.from(text, 'latin1');
  const fields = parseStatFields(bytes, bytes.length);
  return fields && statOf(pid, fields);
}

const statBuffer = Buffer.allocUnsafe(STAT_BUFFER_SIZE);

/** The stat of a process, or null if it does not exist (any more). */
export function readStat(pid: number): ProcStat | null {
  const length = readStatInto(pid, statBuffer);
  const fields = length === null ? null : parseStatFields(statBuffer, length);
  return fields && statOf(pid, fields);
}

/** Start time of a process in clock ticks since boot, or null if it is gone. */
export function readStartTime(pid: number): number | null {
  return readStat(pid)?.startTime ?? null;
}

function isDeadState(state: string): boolean {
  return hasEnded(state.charCodeAt(0));
}

/**
 * True if `pid` runs and, when `startTime` is given, is the same process
 * (a reused pid has another start time). A zombie has finished: dead.
 */
export function isAlive(pid: number, startTime: number | null): boolean {
  const stat = readStat(pid);
  if (!stat || isDeadState(stat.state)) return false;
  return startTime === null || stat.startTime === startTime;
}

/** How a recorded process compares with the one that has its pid now. */
export type IdentityCheck =
  | { same: true; commandChanged: string | null }
  | { same: false; why: string };

let bootId: string | null | undefined;

/** This boot's id (read once), or null where the kernel does not offer it. */
export function currentBootId(): string | null {
  if (bootId === undefined) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootId = null;
    }
  }
  return bootId;
}

/** argv of a process joined by spaces, or null if it is gone (or a kernel thread). */
export function readCommandLine(pid: number): string | null {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.length === 0 ? null : raw.replace(/\0$/, '').split('\0').join(' ');
  } catch {
    return null;
  }
}

/**
 * Whether `pid` is still the process that `recorded` describes. The boot
 * id and the start time decide: together with the pid they name one
 * process (a reused pid starts later; after a reboot every recorded pid is
 * stale). The command line decides only when no start time was recorded:
 * a program may exec another or rewrite its title (`sh -c` execs its last
 * command, nginx renames itself), and refusing a process with the same
 * start time would start a second copy of it. Such a change is reported.
 */
export function checkIdentity(pid: number, recorded: ProcessIdentity): IdentityCheck {
  const stat = readStat(pid);
  if (!stat || isDeadState(stat.state)) return { same: false, why: 'the process is gone' };
  const boot = currentBootId();
  if (recorded.bootId && boot && recorded.bootId !== boot) return { same: false, why: 'the host rebooted since it started' };
  if (recorded.startTime !== null && stat.startTime !== recorded.startTime) {
    return { same: false, why: 'the pid now belongs to a process started later' };
  }
  const command = readCommandLine(pid);
  const commandChanged = recorded.command !== null && command !== recorded.command ? command ?? '' : null;
  if (recorded.startTime === null && commandChanged !== null) {
    return { same: false, why: 'the pid now runs another command' };
  }
  return { same: true, commandChanged };
}

/** Pids of every live (non-zombie) process of group `pgid`. */
export function listGroupMembers(pgid: number): number[] {
  if (!groupMayExist(pgid)) return [];
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.pgrp === pgid && !isDeadState(stat.state)) members.push(stat.pid);
  }
  return members;
}

/**
 * Signal 0 to the group: ESRCH proves it empty without scanning /proc (the
 * common case during a stop poll). Zombies still answer, hence the scan after.
 */
function groupMayExist(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
