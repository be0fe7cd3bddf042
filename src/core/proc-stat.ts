/**
 * /proc/PID/stat, read and parsed from its bytes: the one parser that the
 * runtime (liveness, process groups, exits) and the metrics' /proc scan
 * share. It lives on the lowest floor because both read it (runtime sits
 * above metrics). Reading into a caller's buffer costs one open, one read
 * and one close: no fstat, no string, no split, over hundreds of processes.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** A stat line is ~300 bytes and a command name at most 64: a buffer this size holds the fields hxe reads. */
export const STAT_BUFFER_SIZE = 1024;

const CLOSE_PAREN = 0x29;
const SPACE = 0x20;
const NEWLINE = 0x0a;
const DIGIT_ZERO = 0x30;
const ZOMBIE = 0x5a; // 'Z'
const DEAD = 0x58; // 'X'

/** The fields of /proc/PID/stat that hxe uses; `state` is a byte ('R', 'S', 'Z'...). */
export interface StatFields {
  state: number;
  ppid: number;
  pgrp: number;
  /** Clock ticks since boot: with the pid, identifies one process across pid reuse. */
  startTime: number;
}

/** Reads /proc/PID/stat into `buffer`; its length, or null if there is no such process (any more). */
export function readStatInto(pid: number | string, buffer: Buffer): number | null {
  try {
    const fd = openSync(`/proc/${pid}/stat`, 'r');
    try {
      return readSync(fd, buffer, 0, STAT_BUFFER_SIZE, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

/**
 * Where the fixed fields start: after the LAST ')', since the command name
 * (field 2, in parentheses) may hold spaces and parentheses. -1 if none.
 */
function afterName(buffer: Buffer, length: number): number {
  const close = length > 0 ? buffer.lastIndexOf(CLOSE_PAREN, length - 1) : -1;
  return close < 0 || close + 2 >= length ? -1 : close + 2;
}

/** The state byte (field 3), or null if the bytes are no stat line. */
export function statState(buffer: Buffer, length: number): number | null {
  const at = afterName(buffer, length);
  return at < 0 ? null : buffer[at];
}

/** True for the state of a process that has ended: a zombie (Z) or dead (X). */
export function hasEnded(state: number): boolean {
  return state === ZOMBIE || state === DEAD;
}

/** State (field 3), ppid (4), pgrp (5) and starttime (22); null if the bytes are no stat line. */
export function parseStatFields(buffer: Buffer, length: number): StatFields | null {
  const at = afterName(buffer, length);
  if (at < 0) return null;
  let field = 3;
  let value = 0;
  let ppid = -1;
  let pgrp = -1;
  // Decimal digits accumulate into `value`; non-numeric fields give garbage that is never used.
  for (let i = at; i <= length; i++) {
    const byte = i < length ? buffer[i] : SPACE;
    if (byte !== SPACE && byte !== NEWLINE) {
      value = value * 10 + (byte - DIGIT_ZERO);
      continue;
    }
    if (field === 4) ppid = value;
    else if (field === 5) pgrp = value;
    else if (field === 22) return { state: buffer[at], ppid, pgrp, startTime: value };
    field += 1;
    value = 0;
  }
  return null;
}
