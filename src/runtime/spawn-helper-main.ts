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
 * It exits when its stdin ends (the agent stopped or died) and never
 * forks once its parent is gone: an agent that dies knows, through the
 * spawn markers, every process it asked for, and the next agent finds them.
 */
import { createInterface } from 'node:readline';
import { launchProcess, type LaunchSpec } from './launch.js';

const agent = process.ppid;

function send(message: object): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function spawnOne(id: number, spec: LaunchSpec): void {
  let child;
  try {
    child = launchProcess(spec);
  } catch (err) {
    const { code, message } = err as NodeJS.ErrnoException;
    send({ id, error: { code, message } });
    return;
  }
  child.once('spawn', () => send({ id, pid: child.pid }));
  child.once('error', (err: NodeJS.ErrnoException) => {
    // An error after the spawn (a failed kill, say) is not a failure to start.
    if (child.pid === undefined) send({ id, error: { code: err.code, message: err.message } });
  });
  child.once('exit', (code, signal) => send({ id, exit: [code, signal] }));
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on('line', (line) => {
  if (process.ppid !== agent) process.exit(0);
  const { id, spec } = JSON.parse(line) as { id: number; spec: LaunchSpec };
  spawnOne(id, spec);
});
lines.on('close', () => process.exit(0));
