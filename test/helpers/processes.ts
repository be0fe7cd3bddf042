/**
 * Helpers for tests that run real processes and servers: ports, polling,
 * temporary homes, and a check that a test leaves no process behind.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { quote } from 'shlex';
import { onTestFinished } from 'vitest';
import { isAlive, listGroupMembers, readStat } from '../../src/runtime/proc.js';

/** test/fixtures, where the fixture programs live. */
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** Absolute path of a fixture program, e.g. `fixture('forever.mjs')`. */
export function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** A command line running a fixture with this Node: `fixtureCommand('crash-after.mjs', '100', '3')`. */
export function fixtureCommand(name: string, ...args: string[]): string {
  return [process.execPath, fixture(name), ...args].map(quote).join(' ');
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Said in the error: what was awaited. */
  what?: string;
}

/**
 * Calls `fn` until it returns a truthy value (which is returned). A throw
 * counts as not yet. Throws after `timeoutMs` (default 10 s), naming `what`
 * and the last error.
 */
export async function waitFor<T>(fn: () => T | Promise<T>, options: WaitOptions = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 10_000, intervalMs = 25, what = fn.toString() } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** True if `pid` runs (a zombie has finished: false). */
export function isPidAlive(pid: number): boolean {
  return isAlive(pid, null);
}

/** Records process groups a test started, and checks they are all gone. */
export interface PidTracker {
  /** Remembers the group led by `pgid`; returns it. */
  add(pgid: number): number;
  /**
   * Waits up to `graceMs` (default 3 s) for every tracked group, and every
   * child of this process started since `trackPids()`, to be gone; kills
   * what is left (so a failing test leaks nothing) and then throws naming it.
   */
  assertNoLeftovers(graceMs?: number): Promise<void>;
}

/** Starts tracking: children of this test process that exist now are not the test's. */
export function trackPids(): PidTracker {
  const before = new Set(liveChildren());
  const groups = new Set<number>();
  const leftovers = () => {
    const pids = new Set([...groups].flatMap((pgid) => listGroupMembers(pgid)));
    for (const pid of liveChildren()) if (!before.has(pid)) pids.add(pid);
    return [...pids];
  };
  return {
    add(pgid) {
      // Killing group 0 or 1 at cleanup would hit this test process or everything.
      if (!Number.isInteger(pgid) || pgid <= 1) throw new Error(`not a process group to track: ${pgid}`);
      groups.add(pgid);
      return pgid;
    },
    async assertNoLeftovers(graceMs = 3_000) {
      const gone = await waitFor(() => leftovers().length === 0, { timeoutMs: graceMs }).catch(() => false);
      if (gone) return;
      const survivors = leftovers();
      for (const pid of survivors) killQuietly(pid);
      for (const pgid of groups) killQuietly(-pgid);
      groups.clear();
      throw new Error(`processes left behind (now killed): ${survivors.join(', ')}`);
    },
  };
}

/** Non-zombie children of this process. */
function liveChildren(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.ppid === process.pid && stat.state !== 'Z') pids.push(stat.pid);
  }
  return pids;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

/**
 * A fresh temporary directory (0700), removed when the current test ends;
 * outside a test (beforeAll), when the test process exits.
 */
export function tmpHome(prefix = 'hxe-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    onTestFinished(remove);
  } catch {
    process.once('exit', remove);
  }
  return dir;
}
