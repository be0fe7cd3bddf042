import { spawn } from 'node:child_process';
import { existsSync, promises as fs, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InstanceView } from '../../src/core/types.js';
import { createTestHome, REPO, type TestHome } from '../helpers/hxe.js';
import { fixtureCommand, isPidAlive } from '../helpers/processes.js';

let t: TestHome;
beforeEach(async () => { t = await createTestHome(); });
afterEach(async () => { await t.cleanup(); });

const NOTICE = 'agent not running; `hxe agent start`';

/** Live processes whose command line is `sleep N`: the unique N tells the test's own. */
function sleepPids(n: number): number[] {
  const read = (file: string) => { try { return readFileSync(file, 'utf8'); } catch { return ''; } };
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => read(`/proc/${entry}/cmdline`) === `sleep\0${n}\0` && isPidAlive(Number(entry))).map(Number);
}

const agentPresent = (home: string) => existsSync(path.join(home, 'agent.pid')) || existsSync(path.join(home, 'agent.sock'));

/** Runs the built CLI with stdout piped to a reader that closes after the first line; resolves with its exit and stderr. */
function closeAfterFirstLine(args: string[], onFirstLine: () => Promise<unknown>): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  const child = spawn(process.execPath, [path.join(REPO, 'bin/hxe'), ...args], { env: { ...process.env, HXE_HOME: t.home, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  let seen = '';
  child.stdout.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
    if (!seen.includes('\n') || child.stdout.destroyed) return;
    child.stdout.destroy(); // the reader goes away, as `head -1` does
    void onFirstLine();
  });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
}

describe('read-only commands without an agent', () => {
  it('get after agent stop lists the stored services as not running and starts nothing', async () => {
    const n = 8_100_000 + Math.floor(Math.random() * 100_000);
    const file = await t.write('s.hcl', `service "quiet" {\n  command = "sleep ${n}"\n}\nservice "talker" {\n  command = "echo said-${n}; sleep ${n + 1}"\n  shell = true\n}\n`);
    expect((await t.run(['apply', '-f', file, '--wait'])).code).toBe(0);
    expect(sleepPids(n)).toHaveLength(1);
    expect((await t.run(['agent', 'stop'])).code).toBe(0);
    expect(sleepPids(n)).toEqual([]);

    const table = await t.run(['get']);
    expect(table.code).toBe(0);
    expect(table.stderr.trim()).toBe(NOTICE);
    expect(table.stdout).toMatch(/^quiet\s+stopped\s+false/m);
    const json = await t.run(['get', 'quiet', '-o', 'json']);
    expect(json.code).toBe(0);
    const [view] = JSON.parse(json.stdout) as InstanceView[];
    expect(view).toMatchObject({ name: 'quiet', metadata: { generation: 1, source: file }, spec: { command: `sleep ${n}` } });
    expect(view.status).toMatchObject({ state: 'stopped', ready: false, pid: null, restarts: 0, message: 'agent not running' });

    const described = await t.run(['describe', 'quiet']);
    expect([described.code, described.stderr.trim()]).toEqual([0, NOTICE]);
    expect(described.stdout).toContain('quiet: stopped');
    const logs = await t.run(['logs', 'talker']);
    expect([logs.code, logs.stderr.trim()]).toEqual([0, NOTICE]);
    expect(logs.stdout).toContain(`said-${n}`);
    const events = await t.run(['events']);
    // The events the last agent kept in the home, its stop included.
    expect([events.code, events.stderr.trim()]).toEqual([0, NOTICE]);
    expect(events.stdout).toMatch(/quiet {2}Stopped/);
    expect((await t.run(['describe', 'nope'])).code).toBe(1);
    const top = await t.run(['top', '--once']);
    expect([top.code, top.stderr]).toEqual([1, 'error: agent not running, nothing to measure; `hxe agent start`\n']);

    // Every command has exited: had one started an agent, it and its services would be here.
    expect(agentPresent(t.home)).toBe(false);
    expect(sleepPids(n)).toEqual([]);
    expect(sleepPids(n + 1)).toEqual([]);
  });

  it('after agent stop --keep-services, get shows the recorded pid of the service that still runs, and logs -f follows its files', async () => {
    const chatty = fixtureCommand('chatty.mjs', '1000000', '40', '20');
    expect((await t.run(['apply', '-f', await t.write('c.hcl', `service "kept" {\n  command = ${JSON.stringify(chatty)}\n}\n`), '--wait'])).code).toBe(0);
    const [{ status: { pid } }] = await t.get(['kept']);
    expect((await t.run(['agent', 'stop', '--keep-services'])).code).toBe(0);
    const [view] = JSON.parse((await t.run(['get', '-o', 'json'])).stdout) as InstanceView[];
    expect(view.status).toMatchObject({ state: 'running', ready: false, pid, message: 'agent not running: not supervised; last recorded: running' });
    expect(isPidAlive(pid!)).toBe(true);
    // --tail 0: a line can only come from following the file the service goes on writing.
    const followed = await closeAfterFirstLine(['logs', 'kept', '-f', '--tail', '0', '--stdout'], async () => undefined);
    expect(followed).toEqual({ code: 0, signal: null, stderr: `${NOTICE}\n` });
    expect(agentPresent(t.home)).toBe(false);
    // A command that changes things still starts the agent, which adopts the service.
    expect((await t.run(['restart', 'kept'])).code).toBe(0);
    await t.waitForInstance('kept', (v) => v.status.state === 'running' && v.status.pid !== pid, 'restarted by the new agent');
  });
});

describe('a reader that closes the pipe', () => {
  it('ends logs -f quietly, exit 0', async () => {
    await t.run(['apply', '-f', await t.write('c.hcl', `service "chatty" {\n  command = "${fixtureCommand('chatty.mjs', '1000000', '40', '2').replaceAll('"', '\\"')}"\n}\n`)]);
    await t.waitForInstance('chatty', (v) => v.status.state === 'running', 'running');
    const result = await closeAfterFirstLine(['logs', 'chatty', '-f', '--stdout'], async () => undefined);
    expect(result).toEqual({ code: 0, signal: null, stderr: '' });
  });

  it('ends events -w quietly, exit 0', async () => {
    await t.run(['apply', '-f', await t.write('s.hcl', 'service "s" {\n  command = "sleep 1000"\n}\n')]);
    await t.waitForInstance('s', (v) => v.status.state === 'running', 'running');
    // More events after the reader has gone: the next write meets the closed pipe.
    const result = await closeAfterFirstLine(['events', '-w'], () => t.run(['restart', 's']));
    expect(result).toEqual({ code: 0, signal: null, stderr: '' });
  });
});

describe('a reader that closes the pipe early', () => {
  it('ends a long get (the fast path, without yargs) quietly, exit 0', async () => {
    // 100 instances, each shown with the whole spec: a small manifest, a large output.
    const long = JSON.stringify('x'.repeat(20_000));
    const service = `service "s" {\n  command = "sleep 1000"\n  args = [${long}]\n  instances = 100\n  disabled = true\n}\n`;
    expect((await t.run(['apply', '-f', await t.write('s.hcl', service)])).code).toBe(0);
    expect((await t.run(['agent', 'stop'])).code).toBe(0);
    // Far more than a pipe holds: the reader goes long before all of it is written.
    expect((await t.run(['get', '-o', 'json'])).stdout.length).toBeGreaterThan(2_000_000);
    const result = await closeAfterFirstLine(['get', '-o', 'json'], async () => undefined);
    expect(result).toEqual({ code: 0, signal: null, stderr: `${NOTICE}\n` });
  });
});

describe('manifest errors', () => {
  it('name a file as given: absolute from /, relative as written', async () => {
    const bad = await t.write('sub/bad.hcl', 'service "web" {\n  command = "sleep 1"\n  health_check {\n    type = "htp"\n  }\n}\n');
    const fromRoot = await t.run(['validate', '-f', bad], { cwd: '/' });
    expect(fromRoot.code).toBe(2);
    expect(fromRoot.stderr.split('\n')).toContain(`${bad}:4: service "web": health_check.type: expected one of http, tcp, exec, got "htp"`);
    const inside = await t.run(['validate', '-f', bad]);
    expect(inside.stderr).toContain(`\n${bad}:4: `);
    const relative = await t.run(['validate', '-f', './sub/../sub/bad.hcl']);
    expect(relative.stderr).toContain('\nsub/bad.hcl:4: ');
    const directory = await t.run(['validate', '-f', 'sub']);
    expect(directory.stderr).toContain('\nsub/bad.hcl:4: ');
  });

  it('-f without a path is bad usage, exit 2, and starts no agent', async () => {
    for (const command of ['apply', 'diff', 'validate']) {
      const result = await t.run([command, '-f']);
      expect([command, result.code]).toEqual([command, 2]);
      expect(result.stderr).toContain('-f/--filename needs a path');
    }
    expect(agentPresent(t.home)).toBe(false);
  });

  it('refuse deep nesting with file and line, exit 2, without a stack overflow', async () => {
    const depth = 5_000;
    const blocks = await t.write('blocks.hcl', `service "a" {\n  command = "sleep 1"\n${'x {\n'.repeat(depth)}${'}\n'.repeat(depth)}}\n`);
    const object = await t.write('object.hcl', `service "a" {\n  command = "sleep 1"\n  labels = ${'{ a = '.repeat(depth)}1${' }'.repeat(depth)}\n}\n`);
    const keys = await t.write('keys.toml', `[service.a]\ncommand = "sleep 1"\n[${Array.from({ length: depth }, (_, i) => `k${i}`).join('.')}]\nx = 1\n`);
    const result = await t.run(['validate', '-f', blocks, '-f', object, '-f', keys]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${blocks}:102: nesting deeper than 100 levels`);
    expect(result.stderr).toContain(`${object}:3: nesting deeper than 100 levels`);
    expect(result.stderr).toContain(`${keys}: nesting deeper than 100 levels`);
    expect(result.stderr).not.toMatch(/call stack|RangeError|\n\s+at /);
    // The agent reads its configuration through the same parser.
    const config = await t.run(['agent', 'start', '--config', blocks]);
    expect(config.code).toBe(2);
    expect(config.stderr).toContain(`${blocks}:102: nesting deeper than 100 levels`);
  });
});

describe('a remembered --config', () => {
  const remembered = () => path.join(t.home, 'agent-config.json');

  it('is not remembered when it fails to load', async () => {
    const bad = await t.write('bad.hcl', 'agent {\n  bogus = 1\n}\n');
    const result = await t.run(['agent', 'start', '--config', bad]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${bad}:2: agent.bogus: unknown field`);
    expect(existsSync(remembered())).toBe(false);
    expect((await t.run(['agent', 'start'])).code).toBe(0);
  });

  it('that breaks later never fails get; a start names it and how to replace or drop it', async () => {
    const config = await t.write('agent.hcl', 'agent {\n  log_level = "info"\n}\n');
    expect((await t.run(['agent', 'start', '--config', config])).code).toBe(0);
    expect(JSON.parse(await fs.readFile(remembered(), 'utf8'))).toEqual({ config: [config] });
    await t.run(['apply', '-f', await t.write('s.hcl', 'service "s" {\n  command = "sleep 1000"\n}\n')]);
    await fs.writeFile(config, 'agent {\n  log_level = 7\n}\n');
    const running = await t.run(['get', 's']);
    expect([running.code, running.stderr]).toEqual([0, '']);

    expect((await t.run(['agent', 'stop'])).code).toBe(0);
    const stopped = await t.run(['get', 's']);
    expect([stopped.code, stopped.stderr.trim()]).toEqual([0, NOTICE]);
    expect(stopped.stdout).toMatch(/^s\s+stopped/m);

    const start = await t.run(['start', 's']);
    expect(start.code).toBe(2);
    expect(start.stderr).toContain(`no longer loads:\n${config}:2: agent.log_level: expected one of`);
    expect(start.stderr).toContain('`hxe agent start --config NEW`');
    expect(start.stderr).toContain('`hxe agent start --no-config`');
    expect(agentPresent(t.home)).toBe(false);

    const dropped = await t.run(['agent', 'start', '--no-config']);
    expect(dropped.code).toBe(0);
    expect(dropped.stdout).toContain('the remembered --config is dropped');
    expect(existsSync(remembered())).toBe(false);
    await t.waitForInstance('s', (v) => v.status.state === 'running', 'running under the defaults');
  });
});
