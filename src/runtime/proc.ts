/**
 * Reading Linux's /proc: process start times, liveness and group members.
 * Every reader returns null / false / [] for a process that is gone (or
 * vanishes while being read): processes die at any time, that is not an error.
 */
import { readdirSync, readFileSync } from 'node:fs';

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

/**
 * Parses the text of /proc/PID/stat. The command name (field 2) is in
 * parentheses and may itself contain spaces and ')', so the fixed fields are
 * taken after the LAST ')'. Returns null if the text is not a stat line.
 */
export function parseStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  // After ')': state(3) ppid(4) pgrp(5) ... starttime(22): index = field - 3.
  const fields = text.slice(close + 1).trim().split(/\s+/);
  const startTime = Number(fields[22 - 3]);
  if (!Number.isInteger(pid) || !Number.isFinite(startTime)) return null;
  return {
    pid,
    state: fields[0],
    ppid: Number(fields[4 - 3]),
    pgrp: Number(fields[5 - 3]),
    startTime,
  };
}

/** The stat of a process, or null if it does not exist (any more). */
export function readStat(pid: number): ProcStat | null {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** Start time of a process in clock ticks since boot, or null if it is gone. */
export function readStartTime(pid: number): number | null {
  return readStat(pid)?.startTime ?? null;
}

function isDeadState(state: string): boolean {
  return state === 'Z' || state === 'X';
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
