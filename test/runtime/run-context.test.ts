/**
 * runContext: the working directory and environment exec health checks
 * run with are the very ones the process gets.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProcessRuntime } from '../../src/core/ports.js';
import { createProcessRuntime } from '../../src/runtime/process-runtime.js';
import { tmpHome, trackPids, type PidTracker } from '../helpers/processes.js';
import { spawnRequest } from './request.js';

const AGENT_ENV = { PATH: process.env.PATH, KEEP: 'agent', FROM_FILE: 'agent', SECRET_SRC: 's3cret' };

let runtime: ProcessRuntime;
let tracker: PidTracker;
let home: string;

beforeEach(() => {
  tracker = trackPids();
  home = tmpHome();
  runtime = createProcessRuntime({ logDir: join(home, 'logs'), agentEnv: AGENT_ENV });
});

afterEach(async () => {
  runtime.close();
  await tracker.assertNoLeftovers();
});

/** /proc/PID/environ as an object. */
function environOf(pid: number): Record<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return Object.fromEntries(entries.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
}

describe('runContext', () => {
  it("gives the process's own working directory and whole environment", async () => {
    const envFile = join(home, 'web.env');
    writeFileSync(envFile, 'FROM_FILE=file\n');
    const request = {
      ...spawnRequest({ command: 'sleep 30', working_dir: home, env_file: envFile, environment: { FROM_SPEC: 'spec', REF: 'env:SECRET_SRC' } }),
      index: 1,
    };
    const { pid } = await runtime.spawn(request);
    tracker.add(pid);
    try {
      const context = await runtime.runContext(request);
      expect(context.cwd).toBe(home);
      expect(context.env).toEqual(environOf(pid));
      expect(context.env).toMatchObject({ KEEP: 'agent', FROM_FILE: 'file', FROM_SPEC: 'spec', REF: 's3cret', HXE_INSTANCE: '1' });
    } finally {
      await runtime.stop(pid, 'SIGKILL', 1000);
    }
  });

  it('rejects as spawn does on an unset env:VAR', async () => {
    await expect(runtime.runContext(spawnRequest({ command: 'sleep 1', environment: { DB: 'env:NO_SUCH_VAR' } })))
      .rejects.toThrow("environment.DB: env:NO_SUCH_VAR is not set in the agent's environment");
  });
});
