/**
 * The agent's own log: rotated by size (rename and reopen), mode 0600; and
 * its pid file, 0600 too.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquirePidLock } from '../../src/runtime/pid-lock.js';
import { createAgentLog } from '../../src/agent/logger.js';
import { tmpHome, waitFor } from '../helpers/processes.js';

const mode = (file: string) => statSync(file).mode & 0o777;

describe('the agent log', () => {
  it('rotates past its size, keeping `keep` files, losing no line among the files kept, all 0600', async () => {
    const dir = tmpHome();
    const file = join(dir, 'agent.log');
    const agentLog = createAgentLog(file, { maxSize: 4096, keep: 2, checkIntervalMs: 5 });
    let n = 0;
    // Write until two rotations have happened: agent.log.2 exists and a newer .1 after it.
    await waitFor(async () => {
      for (let i = 0; i < 20; i++) agentLog.logger.info({ n: n++ }, 'line');
      return existsSync(`${file}.2`) && n > 400;
    }, { what: 'two rotations', timeoutMs: 20_000, intervalMs: 5 });
    agentLog.logger.info({ n: n++ }, 'last');
    agentLog.close();
    await waitFor(() => readFileSync(file, 'utf8').includes('"msg":"last"'), { what: 'the last line flushed' });

    expect(readdirSync(dir).sort()).toEqual(['agent.log', 'agent.log.1', 'agent.log.2']);
    const numbers = ['agent.log.2', 'agent.log.1', 'agent.log'].flatMap((name) => {
      expect(mode(join(dir, name))).toBe(0o600);
      return readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean)
        .map((line) => JSON.parse(line) as { n?: number }).flatMap((entry) => (entry.n === undefined ? [] : [entry.n]));
    });
    // The oldest were dropped with agent.log.3; from the first kept on, every line is there, in order.
    expect(numbers[0]).toBeGreaterThan(0);
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => numbers[0] + i));
    expect(numbers.at(-1)).toBe(n - 1);
  });

  it('makes an older agent log that others could read 0600', async () => {
    const file = join(tmpHome(), 'agent.log');
    writeFileSync(file, 'older\n', { mode: 0o644 });
    const agentLog = createAgentLog(file);
    agentLog.logger.info('newer');
    agentLog.close();
    await waitFor(() => readFileSync(file, 'utf8').includes('"msg":"newer"'), { what: 'the line written' });
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^older\n/);
  });
});

describe('agent.pid', () => {
  it('is 0600', async () => {
    const file = join(tmpHome(), 'agent.pid');
    const release = await acquirePidLock(file);
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe(`${process.pid}\n`);
    await release();
    expect(existsSync(file)).toBe(false);
  });
});
