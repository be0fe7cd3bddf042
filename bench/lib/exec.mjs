/** Running a command line tool with a time bound, and timing it. */
import { spawn } from 'node:child_process';
import { setTimeout, clearTimeout } from 'node:timers';
import { now } from './clock.mjs';

/** Every child still running, so that cleanup can reach it. */
export const running = new Set();

/**
 * Runs file with args; resolves {code, stdout, stderr, ms} once it exits
 * (ms: spawn to exit). Kills its process group and rejects after timeoutMs.
 */
export function run(file, args, { env = process.env, cwd, timeoutMs = 60_000, input } = {}) {
  return new Promise((resolve, reject) => {
    const started = now();
    const child = spawn(file, args, { env, cwd, detached: true, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    running.add(child);
    const out = [];
    const err = [];
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    if (input !== undefined) child.stdin.end(input);
    const timer = setTimeout(() => {
      killGroup(child.pid);
      reject(new Error(`${file} ${args.join(' ')}: no exit within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      running.delete(child);
      reject(e);
    });
    child.on('close', (code, signal) => {
      const ms = now() - started;
      clearTimeout(timer);
      running.delete(child);
      resolve({ code: code ?? (signal ? 128 : 1), stdout: out.join(''), stderr: err.join(''), ms });
    });
  });
}

/** Like run(), but rejects when the exit code is not in okCodes. */
export async function runOk(file, args, options = {}) {
  const result = await run(file, args, options);
  const okCodes = options.okCodes ?? [0];
  if (!okCodes.includes(result.code)) {
    throw new Error(`${file} ${args.join(' ')} exited ${result.code}: ${(result.stderr || result.stdout).trim().slice(0, 500)}`);
  }
  return result;
}

export function killGroup(pid) {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Kills every child still running (their process groups). */
export function killRunning() {
  for (const child of running) killGroup(child.pid);
}
