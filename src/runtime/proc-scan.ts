/**
 * Finding every process of this home's spawns by the marker in its
 * environment (spawn-marker.ts), through /proc/PID/environ. Only processes
 * the agent may read are seen: those of its own user (all, for root).
 * /proc/PID/environ is the environment the program was executed with: a
 * program that writes over that memory (setproctitle, as nginx does) is
 * no longer found.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { MarkedProcess } from '../core/ports.js';
import { currentBootId, readCommandLine, readStat } from './proc.js';
import { parseMarker, SPAWN_MARKER } from './spawn-marker.js';

/** Linux's USER_HZ, the unit of start times in /proc: 100 on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/**
 * Every live (non-zombie) process whose environment holds the marker of
 * the home with id `home`, except `exclude` (the agent itself: an agent
 * started from a service inherits that service's marker).
 */
export function scanMarkedProcesses(home: string, exclude: number = process.pid): MarkedProcess[] {
  const found: MarkedProcess[] = [];
  const needle = `${SPAWN_MARKER}=${home}:`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === exclude) continue;
    const value = markerIn(readEnviron(entry), needle);
    const marker = value === null ? null : parseMarker(value);
    if (marker === null) continue;
    const stat = readStat(Number(entry));
    if (!stat || stat.state === 'Z' || stat.state === 'X') continue;
    found.push({
      pid: stat.pid, pgid: stat.pgrp, ppid: stat.ppid, startTime: stat.startTime,
      identity: { startTime: stat.startTime, bootId: currentBootId(), command: readCommandLine(stat.pid) },
      startedAt: startedAt(stat.startTime),
      instance: marker.instance, spawnId: marker.spawnId, spec: marker.spec,
    });
  }
  return found;
}

/** The environ block ('' if unreadable: another user's, or gone). latin1: any byte is one char, never a decoding error. */
function readEnviron(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return '';
  }
}

/** The value after `needle`'s `NAME=` if a variable of the block starts with `needle`, else null. */
function markerIn(environ: string, needle: string): string | null {
  let at = environ.startsWith(needle) ? 0 : environ.indexOf(`\0${needle}`);
  if (at < 0) return null;
  if (environ[at] === '\0') at += 1;
  const start = at + SPAWN_MARKER.length + 1;
  const end = environ.indexOf('\0', start);
  return environ.slice(start, end < 0 ? undefined : end);
}

let bootTime: number | null | undefined;

/** When a process started, from its start time and the boot time in /proc/stat. */
function startedAt(startTime: number): string {
  if (bootTime === undefined) {
    const line = /^btime (\d+)$/m.exec(readSafe('/proc/stat'));
    bootTime = line ? Number(line[1]) : null;
  }
  return new Date(bootTime === null ? Date.now() : (bootTime + startTime / TICKS_PER_SECOND) * 1000).toISOString();
}

function readSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
