/** Reading /proc: processes, their command lines, RSS and CPU ticks. Linux only. */
import fs from 'node:fs';
import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';

/** Clock ticks per second (utime/stime unit). */
export const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** Every process: pid, state letter, ppid and argv (empty for kernel threads). */
export function listProcesses() {
  const out = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv[argv.length - 1] === '') argv.pop();
      const stat = parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
      out.push({ pid, state: stat.state, ppid: stat.ppid, argv });
    } catch {
      // gone while we looked
    }
  }
  return out;
}

/** Fields of /proc/PID/stat after the parenthesised command name. */
function parseStat(text) {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime is field 14, stime field 15.
  return { state: rest[0], ppid: Number(rest[1]), utime: Number(rest[11]), stime: Number(rest[12]) };
}

const cmdlineBuf = Buffer.alloc(4096);

/** argv of a process from /proc/PID/cmdline (open/read/close: no fstat), or null. */
function readArgv(pid) {
  let fd;
  try {
    fd = fs.openSync(`/proc/${pid}/cmdline`, 'r');
  } catch {
    return null;
  }
  try {
    const len = fs.readSync(fd, cmdlineBuf, 0, cmdlineBuf.length, 0);
    return cmdlineBuf.toString('latin1', 0, len).split('\0');
  } catch {
    return null;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Live `sleep` processes whose first argument starts with prefix. Reads only
 * cmdline (~8 ms for 400 processes, cheap enough to poll): a zombie's is
 * empty, so zombies never match.
 */
export function sleepsWithPrefix(prefix) {
  const out = [];
  for (const entry of fs.readdirSync('/proc')) {
    const c = entry.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const argv = readArgv(entry);
    if (argv && isSleep(argv) && argv[1].startsWith(prefix)) out.push({ pid: Number(entry), argv });
  }
  return out;
}

export function isSleep(argv) {
  return argv.length >= 2 && /(^|\/)sleep$/.test(argv[0]);
}

export function countSleeps(prefix) {
  return sleepsWithPrefix(prefix).length;
}

/** VmRSS in KiB, or null when the process is gone. */
export function rssKiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Pss in KiB (shared pages split among the processes that map them), or null when gone. */
export function pssKiB(pid) {
  try {
    const m = /^Pss:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** The sum of `read` over pids (null if the first, the daemon, is gone). */
export function sumOver(pids, read) {
  const values = pids.map(read);
  if (values[0] === null) return null;
  return values.reduce((total, v) => total + (v ?? 0), 0);
}

/** The processes that make up a tool's manager: its daemon, and for hxe its helper processes. */
export function managerPids(driver) {
  return driver.managerPids?.() ?? [driver.daemonPid()];
}

/** Children of `pid` whose argv matches `pattern` (helper processes of a daemon). */
export function childrenMatching(pid, pattern) {
  return listProcesses().filter((p) => p.ppid === pid && p.state !== 'Z' && pattern.test(p.argv.join(' '))).map((p) => p.pid);
}

/** utime + stime of the process itself, in clock ticks, or null when gone. */
export function cpuTicks(pid) {
  try {
    const s = parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return s.utime + s.stime;
  } catch {
    return null;
  }
}

export function isAlive(pid) {
  try {
    const s = parseStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return s.state !== 'Z';
  } catch {
    return false;
  }
}

export function readPidFile(file) {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function killQuietly(pid, signal = 'SIGKILL') {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
