/**
 * One pass over /proc that finds the live members of many process groups at
 * once: a group's members (grandchildren included) are only known by reading
 * every process's stat, so one pass for all instances is far cheaper than
 * one per instance. This pass is the largest part of a tick and grows with
 * the number of processes on the host, hence its lean reader.
 */
import { closeSync, openSync, readSync, readdirSync } from 'node:fs';

/** A live member of a process group. */
export interface GroupMember {
  pid: number;
  /** Clock ticks since boot: tells a reused pid from the process seen before. */
  startTime: number;
}

/**
 * Maps each wanted pgid to its live (non-zombie) members. Groups with no
 * live member are absent. Processes that vanish during the scan are skipped.
 */
export function scanProcessGroups(pgids: Iterable<number>): Map<number, GroupMember[]> {
  const wanted = new Set(pgids);
  const groups = new Map<number, GroupMember[]>();
  if (wanted.size === 0) return groups;
  const buffer = Buffer.allocUnsafe(STAT_BUFFER_SIZE);
  for (const entry of readdirSync('/proc')) {
    // Digits only: /proc also holds self, sys, meminfo...
    const code = entry.charCodeAt(0);
    if (code < 48 || code > 57) continue;
    const stat = readGroupStat(entry, buffer);
    if (!stat || !wanted.has(stat.pgrp) || stat.state === ZOMBIE || stat.state === DEAD) continue;
    const members = groups.get(stat.pgrp) ?? [];
    members.push({ pid: Number(entry), startTime: stat.startTime });
    groups.set(stat.pgrp, members);
  }
  return groups;
}

// A stat line is ~300 bytes; a command name is at most 64 bytes.
const STAT_BUFFER_SIZE = 1024;
const CLOSE_PAREN = 0x29;
const SPACE = 0x20;
const NEWLINE = 0x0a;
const DIGIT_ZERO = 0x30;
const ZOMBIE = 0x5a; // 'Z'
const DEAD = 0x58; // 'X'

/** The fields of /proc/PID/stat that the scan needs. */
interface GroupStat {
  /** A byte: 'R', 'S', 'Z'... */
  state: number;
  pgrp: number;
  startTime: number;
}

/**
 * Reads /proc/PID/stat into a shared buffer: runtime/proc.ts's readStat
 * gives the same fields, but its readFileSync (an extra fstat, a string, a
 * full split) costs a third more over hundreds of processes.
 */
function readGroupStat(pid: string, buffer: Buffer): GroupStat | null {
  let length: number;
  try {
    const fd = openSync(`/proc/${pid}/stat`, 'r');
    try {
      length = readSync(fd, buffer, 0, STAT_BUFFER_SIZE, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return null; // gone since readdir
  }
  return parseGroupStat(buffer, length);
}

/**
 * State, pgrp (field 5) and starttime (field 22). Fields are counted after
 * the LAST ')', since the command name may hold spaces and parentheses.
 */
export function parseGroupStat(buffer: Buffer, length: number): GroupStat | null {
  const close = buffer.lastIndexOf(CLOSE_PAREN, length - 1);
  if (close < 0) return null;
  const state = buffer[close + 2];
  let field = 3;
  let value = 0;
  let pgrp = -1;
  // Decimal digits accumulate into `value`; non-numeric fields give garbage that is never used.
  for (let i = close + 2; i <= length; i++) {
    const byte = i < length ? buffer[i] : SPACE;
    if (byte !== SPACE && byte !== NEWLINE) {
      value = value * 10 + (byte - DIGIT_ZERO);
      continue;
    }
    if (field === 5) pgrp = value;
    else if (field === 22) return { state, pgrp, startTime: value };
    field += 1;
    value = 0;
  }
  return null;
}
