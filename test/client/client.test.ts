/**
 * Issue 17, item 2: the typed client (`import { connect } from 'hxe'`)
 * driving a real agent: apply of paths and of specs, list, restart, the
 * event iterator, followed logs, typed 4xx errors, no retries without an
 * agent (test/client/retry.test.ts and test/e2e/unreachable-agent.test.ts: the retries).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../src/cli/exit.js';
import { AgentUnavailableError, BadUsageError, connect, HxeError, ManifestError, NotFoundError, type HxeClient } from '../../src/client/index.js';
import { createTestHome, type TestHome } from '../helpers/hxe.js';

let t: TestHome;
let client: HxeClient;
beforeEach(async () => {
  t = await createTestHome();
  expect((await t.run(['agent', 'start'])).code).toBe(0);
  client = connect({ home: t.home });
});
afterEach(async () => { await t.cleanup(); });

const service = (name: string, command: string) => `service "${name}" {\n  command = "${command}"\n}\n`;

describe('connect()', () => {
  it('applies manifest paths (the CLI loader) and specs (checked by the agent), and lists them', async () => {
    const file = await t.write('web.hcl', service('web', 'sleep 1000'));
    const planned = await client.diff(file);
    expect(planned.applied).toBe(false);
    expect(planned.plan.services.map((c) => [c.name, c.kind])).toEqual([['web', 'create']]);
    const applied = await client.apply([file]);
    expect(applied.applied).toBe(true);
    await client.apply([{ name: 'worker', spec: { command: 'sleep 1001' } }]);
    await t.waitForInstance('web', (v) => v.status.state === 'running', 'running');
    await t.waitForInstance('worker', (v) => v.status.state === 'running', 'running');
    const views = await client.list();
    expect(views.map((v) => v.name).sort()).toEqual(['web', 'worker']);
    expect((await client.get('worker')).instances[0].spec.command).toBe('sleep 1001');
    // Same paths again, from the CLI: one source set, nothing to change.
    expect((await t.run(['diff', '-f', file])).code).toBe(0);
    // A dry run changes nothing.
    const dry = await client.apply([{ name: 'worker', spec: { command: 'sleep 1002' } }], { dryRun: true });
    expect(dry.applied).toBe(false);
    expect((await client.get('worker')).instances[0].spec.command).toBe('sleep 1001');
  });

  it('restarts, and the events iterator yields the recent events, then live ones', async () => {
    await client.apply([{ name: 'web', spec: { command: 'sleep 1000' } }]);
    const first = await t.waitForInstance('web', (v) => v.status.state === 'running', 'running');
    const events = client.events({ service: 'web' });
    // The recent ones first: up to the start, which happened before the iterator was opened.
    for await (const event of events) if (event.type === 'Running') break;
    const live = client.events({ service: 'web' });
    const types: string[] = [];
    for await (const event of live) {
      if (types.length === 0 && event.type === 'Running') {
        // Caught up with the past: now the restart, which only the live stream can carry.
        types.push('caught-up');
        expect((await client.restart(['web'])).names).toEqual(['web']);
        continue;
      }
      if (types.length > 0) types.push(event.type);
      if (event.type === 'Running' && types.includes('RestartRequested')) break;
    }
    expect(types).toEqual(expect.arrayContaining(['Stopping', 'RestartRequested', 'Starting', 'Running']));
    await t.waitForInstance('web', (v) => v.status.state === 'running' && v.status.pid !== first.status.pid, 'a new pid');
  });

  it('follows logs: a line printed after the call arrives', async () => {
    await client.apply([{ name: 'ticker', spec: { command: "sh -c 'i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done'" } }]);
    await t.waitForInstance('ticker', (v) => v.status.state === 'running', 'running');
    let text = '';
    for await (const chunk of client.logs('ticker', { follow: true, tail: 0 })) {
      text += chunk;
      if (/tick \d+\n/.test(text)) break;
    }
    expect(text).toMatch(/tick \d+/);
    // Without follow, the tail and then the end.
    const tail: string[] = [];
    for await (const chunk of client.logs('ticker', { tail: 2 })) tail.push(chunk);
    expect(tail.join('')).toMatch(/tick \d+/);
  });

  it('throws typed errors with the codes the CLI maps to exit codes', async () => {
    const missing = await client.get('nope').catch((err: unknown) => err);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toBeInstanceOf(HxeError);
    expect((missing as HxeError).code).toBe('NOT_FOUND');
    expect(exitCodeOf(missing)).toBe(1);
    const invalid = await client.apply([{ name: 'bad', spec: { command: 'sleep 1', restart: 'sometimes' } }]).catch((err: unknown) => err);
    expect(invalid).toBeInstanceOf(ManifestError);
    expect((invalid as ManifestError).issues[0]).toMatchObject({ service: 'bad', path: 'restart' });
    expect(exitCodeOf(invalid)).toBe(2);
    const badName = await client.delete([]).catch((err: unknown) => err);
    expect(badName).toBeInstanceOf(BadUsageError);
    expect(exitCodeOf(badName)).toBe(2);
    const badFile = await client.apply(t.dir + '/absent.hcl').catch((err: unknown) => err);
    expect(badFile).toBeInstanceOf(ManifestError);
    expect((await client.list()).length).toBe(0);
  });

  it('says "no agent" at once when the agent is stopped, however patient: nothing to wait for', async () => {
    const retries: unknown[] = [];
    const patient = connect({ home: t.home, retry: { attempts: 200, baseDelayMs: 20, onRetry: (r) => retries.push(r) } });
    // An answer, even an error, is never retried: NOT_FOUND comes at once.
    await expect(patient.get('nope')).rejects.toBeInstanceOf(NotFoundError);
    expect((await t.run(['agent', 'stop'])).code).toBe(0);
    await expect(patient.list()).rejects.toBeInstanceOf(AgentUnavailableError);
    expect(await patient.answers()).toBe(false);
    expect(retries).toEqual([]);
  });
});
