import { promises as fs } from 'node:fs';
import { HxeError } from '../core/errors.js';
import { isAlive as isProcessAlive } from './proc.js';

/**
 * `agent.pid`: at most one agent per home. Created exclusively, so two
 * agents started at once (two CLIs auto-starting) cannot both win; a file
 * left by a dead agent is taken over. Mode 0600, as everything in the home.
 */
export async function acquirePidLock(pidFile: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fs.writeFile(pidFile, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => releasePidLock(pidFile);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = await readPid(pidFile);
      if (holder !== null && holder !== process.pid && isAlive(holder)) {
        throw new HxeError('CONFLICT', `an agent is already running for this home (pid ${holder})`);
      }
      await fs.rm(pidFile, { force: true });
    }
  }
  throw new HxeError('CONFLICT', `could not take ${pidFile}`);
}

async function releasePidLock(pidFile: string): Promise<void> {
  if ((await readPid(pidFile)) === process.pid) await fs.rm(pidFile, { force: true });
}

/** The pid recorded in `agent.pid`, or null. */
export async function readPid(pidFile: string): Promise<number | null> {
  return parsePid(await fs.readFile(pidFile, 'utf8').catch(() => ''));
}

/** The pid in the text of a pid file, or null. */
export function parsePid(text: string): number | null {
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Alive and not a zombie (an exited agent may wait seconds to be reaped by PID 1). */
export function isAlive(pid: number): boolean {
  return isProcessAlive(pid, null);
}
