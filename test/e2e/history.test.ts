/**
 * What the home keeps across an agent restart (events), and what it must
 * not keep or show (secret values, files others could read).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HxeEvent } from '../../src/core/types.js';
import { createTestHome, type TestHome } from '../helpers/hxe.js';

let t: TestHome;
beforeEach(async () => { t = await createTestHome(); });
afterEach(async () => { await t.cleanup(); });

const manifest = (secret: string) => `service "web" {\n  command = "sleep 1001"\n  environment = {\n    TOKEN = "${secret}"\n  }\n}\n`;
const mode = (file: string) => statSync(path.join(t.home, file)).mode & 0o777;

/** Every file under `dir`, as text, joined. */
function everything(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile()).map((file) => readFileSync(file, 'utf8')).join('\n');
}

async function events(): Promise<HxeEvent[]> {
  const result = await t.run(['events', '-o', 'json']);
  expect(result.code).toBe(0);
  return result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as HxeEvent);
}

describe('the home across an agent restart', () => {
  it('keeps the events: `events` and `describe` show what happened before the restart', async () => {
    const file = await t.write('s.hcl', manifest('SECRET1'));
    expect((await t.run(['apply', '-f', file])).code).toBe(0);
    await t.waitForInstance('web', (v) => v.status.state === 'running', 'running');
    await t.write('s.hcl', manifest('SECRET2'));
    expect((await t.run(['apply', '-f', file])).code).toBe(0);
    await t.waitForInstance('web', (v) => v.status.state === 'running' && v.status.observedGeneration === 2, 'running generation 2');
    const before = await events();
    expect(before.map((e) => `${e.service} ${e.type}`)).toEqual(expect.arrayContaining(['web Created', 'web Updated']));

    expect((await t.run(['agent', 'stop', '--keep-services'])).code).toBe(0);
    expect((await t.run(['agent', 'start'])).code).toBe(0);
    await t.waitForInstance('web', (v) => v.status.state === 'running', 'adopted');

    const after = await events();
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.filter((e) => e.type === 'AgentStarted')).toHaveLength(2);
    const described = await t.run(['describe', 'web']);
    expect(described.stdout).toMatch(/web\s+Created\s+created by apply/);
    expect(described.stdout).toMatch(/web\s+Updated\s+updated by apply/);

    // Nothing the home keeps holds a secret value it should not, nor is readable by others.
    expect(readFileSync(path.join(t.home, 'events.log'), 'utf8')).not.toMatch(/SECRET/);
    expect(readFileSync(path.join(t.home, 'agent.log'), 'utf8')).not.toMatch(/SECRET/);
    expect(everything(path.join(t.home, 'cache'))).not.toContain('SECRET1');
    expect(everything(path.join(t.home, 'cache'))).toContain('SECRET2');
    for (const name of ['events.log', 'agent.log', 'agent.pid', 'agent.sock']) expect(mode(name), name).toBe(0o600);
  });

  it('keeps no cache entry of a manifest the loader refused', async () => {
    const file = await t.write('s.hcl', manifest('SECRET1'));
    expect((await t.run(['apply', '-f', file])).code).toBe(0);
    await t.write('s.hcl', manifest('SECRET3').replace('sleep 1001"', 'sleep 1001"\n  restart_policy = "sometimes"'));
    const refused = await t.run(['apply', '-f', file]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/restart_policy/);
    expect(everything(path.join(t.home, 'cache'))).not.toMatch(/SECRET1|SECRET3/);
  });
});
