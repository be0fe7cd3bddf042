/**
 * One pass over /proc that finds the live members of many process groups at
 * once: a group's members (grandchildren included) are only known by reading
 * every process's stat, so one pass for all instances is far cheaper than
 * one per instance. This pass is the largest part of a tick and grows with
 * the number of processes on the host, hence its lean reader.
 */
import { readdirSync } from 'node:fs';
import { hasEnded, parseStatFields, readStatInto, STAT_BUFFER_SIZE } from '../core/proc-stat.js';

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
    const length = readStatInto(entry, buffer); // null: gone since readdir
    const stat = length === null ? null : parseStatFields(buffer, length);
    if (!stat || !wanted.has(stat.pgrp) || hasEnded(stat.state)) continue;
    const members = groups.get(stat.pgrp) ?? [];
    members.push({ pid: Number(entry), startTime: stat.startTime });
    groups.set(stat.pgrp, members);
  }
  return groups;
}

/** The fields of /proc/PID/stat that the scan needs. */
interface GroupStat {
  /** A byte: 'R', 'S', 'Z'... */
  state: number;
  pgrp: number;
  startTime: number;
}

/** The scan's fields of a stat line (state, pgrp, starttime), by core/proc-stat.ts's parser. */
export function parseGroupStat(buffer: Buffer, length: number): GroupStat | null {
  const fields = parseStatFields(buffer, length);
  return fields && { state: fields.state, pgrp: fields.pgrp, startTime: fields.startTime };
}
