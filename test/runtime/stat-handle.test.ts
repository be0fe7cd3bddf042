/** The open /proc/PID/stat handle: running, zombie, reaped, and a reused pid never read as the old process. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openStatHandle } from '../../src/runtime/stat-handle.js';
import { waitFor } from '../helpers/processes.js';

const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
});

async function spawnSleep(args: string[]) {
  const child = spawn(args[0], args.slice(1), { stdio: 'ignore' });
  await new Promise((resolve) => child.once('spawn', resolve));
  started.push(child.pid!);
  return child;
}

describe('openStatHandle', () => {
  it('reads running, then not running once the process is reaped', async () => {
    const child = await spawnSleep(['sleep', '60']);
    const handle = openStatHandle(child.pid!)!;
    expect(handle.running()).toBe(true);
    child.kill('SIGKILL');
    await waitFor(() => !handle.running(), { what: 'the reaped process to read as gone' });
    handle.close();
    expect(handle.running()).toBe(false);
  });

  it('reads a zombie (exited, not reaped) as not running', async () => {
    // sh does not reap its background child while it sleeps in the foreground.
    const shell = await spawnSleep(['sh', '-c', 'sleep 0.2 & exec sleep 30']);
    const zombie = await waitFor(() => Number(readFileSync(`/proc/${shell.pid}/task/${shell.pid}/children`, 'utf8').trim()) || null, { what: 'the child of sh' });
    const handle = openStatHandle(zombie)!;
    expect(handle.running()).toBe(true);
    await waitFor(() => !handle.running(), { what: 'the zombie to read as not running' });
    expect(readFileSync(`/proc/${zombie}/stat`, 'utf8')).toMatch(/\) Z /);
    handle.close();
  });

  it('returns null for a pid that does not exist', () => {
    expect(openStatHandle(999_999_999)).toBeNull();
  });
});
