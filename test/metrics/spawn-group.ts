/**
 * Starting real process groups for the metrics tests, and killing them after.
 */
import { spawn } from 'node:child_process';
import { fixture, waitFor, type PidTracker } from '../helpers/processes.js';
import { listGroupMembers } from '../../src/runtime/proc.js';

/** Process groups started by a test, killed by `killGroups`. */
export function createGroups(tracker: PidTracker) {
  const started: number[] = [];
  return {
    /** Starts `file args` as the leader of a new process group; waits for `members` live members. */
    async start(file: string, args: string[], members = 1): Promise<number> {
      const child = spawn(file, args, { detached: true, stdio: 'ignore' });
      const pid = await new Promise<number>((resolve, reject) => {
        child.once('spawn', () => resolve(child.pid as number));
        child.once('error', reject);
      });
      started.push(tracker.add(pid));
      await waitFor(() => listGroupMembers(pid).length === members, { what: `${members} members in group ${pid}` });
      return pid;
    },
    /** Starts a fixture program with this Node. */
    startFixture(name: string, args: string[] = [], members = 1): Promise<number> {
      return this.start(process.execPath, [fixture(name), ...args], members);
    },
    killGroups(): void {
      for (const pgid of started.splice(0)) {
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
    },
  };
}
