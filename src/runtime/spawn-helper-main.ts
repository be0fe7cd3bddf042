/**
 * The spawn helper: a small process that forks the agent's services for
 * it. A fork copies the page tables of the process that forks, and blocks
 * it until the child execs: from the agent (~65 MB) that is ~3 ms a spawn,
 * from this process ~1 ms, on the other core, while the agent goes on.
 *
 * Lines of JSON: on stdin `{id, spec}` (a LaunchSpec), on stdout
 * `{id, pid}` once it runs, `{id, error}` if it cannot start, then
 * `{id, exit: [code, signal]}`. The services are its children, so it
 * reaps them and their exit codes reach the agent.
 *
 * Log files are opened off the main thread, so forks go on meanwhile
 * (answers may come in another order than the requests).
 * It exits when its stdin ends (the agent stopped or died) and never
 * forks once its parent is gone: an agent that dies knows, through the
 * spawn markers, every process it asked for, and the next agent finds them.
 */
import { createInterface } from 'node:readline';
import { closeSync } from 'node:fs';
import { launchWithLogs, openLogs, type LaunchedProcess, type LaunchSpec } from './launch.js';

const agent = process.ppid;

function send(message: object): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

/** Opens the logs (new files are created off the main thread), then forks, unless the agent is gone by then. */
async function spawnOne(id: number, spec: LaunchSpec): Promise<void> {
  let child: LaunchedProcess;
  try {
    const [out, err] = await openLogs(spec);
    try {
      if (process.ppid !== agent) process.exit(0);
      child = launchWithLogs(spec, out, err);
    } finally {
      // The child has its own copies once forked.
      closeSync(out);
      closeSync(err);
    }
  } catch (err) {
    const { code, message } = err as NodeJS.ErrnoException;
    send({ id, error: { code, message } });
    return;
  }
  const launched = child;
  launched.once('spawn', () => send({ id, pid: launched.pid }));
  launched.once('error', (err: NodeJS.ErrnoException) => {
    // An error after the spawn (a failed kill, say) is not a failure to start.
    if (launched.pid === undefined) send({ id, error: { code: err.code, message: err.message } });
  });
  launched.once('exit', (code, signal) => send({ id, exit: [code, signal] }));
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on('line', (line) => {
  if (process.ppid !== agent) process.exit(0);
  const { id, spec } = JSON.parse(line) as { id: number; spec: LaunchSpec };
  void spawnOne(id, spec);
});
lines.on('close', () => process.exit(0));
