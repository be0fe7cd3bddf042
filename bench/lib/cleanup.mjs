/**
 * Leftovers: every live process of this bench run, found in /proc by what
 * only this run uses: the sleeps' unique argument prefix and the run's temp
 * directory in a command line (hxe agent --home, PM2 God Daemon (PM2_HOME),
 * supervisord -c). Zombies have no command line: they are not ours to reap.
 */
import { killRunning } from './exec.mjs';
import { isSleep, killQuietly, listProcesses } from './proc.mjs';

export function findLeftovers(root, prefix) {
  return listProcesses().filter((p) => p.pid !== process.pid && p.state !== 'Z' && (
    (isSleep(p.argv) && p.argv[1].startsWith(prefix)) || p.argv.some((a) => a.includes(root))
  ));
}

/** Kills every leftover (SIGKILL) and the CLI children still running; returns what was found. */
export function killLeftovers(root, prefix) {
  killRunning();
  const found = findLeftovers(root, prefix);
  for (const p of found) killQuietly(p.pid);
  return found.map((p) => ({ pid: p.pid, cmdline: p.argv.join(' ') }));
}
