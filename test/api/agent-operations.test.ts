import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Agent } from '../../src/api/agent-operations.js';
import { HxeError } from '../../src/core/errors.js';
import { homePaths } from '../../src/core/home.js';
import type { ReconcileLoop } from '../../src/core/ports.js';
import { EventLog } from '../../src/events/event-log.js';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { recordingLogger } from '../helpers/fake-ports.js';
import { desired } from '../helpers/specs.js';

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hxe-agent-ops-'));
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

/** A recording fake of the ReconcileLoop port. */
function fakeLoop(): ReconcileLoop & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    start: async () => { calls.push('start'); },
    restartInstance: (instance) => { calls.push(`restart ${instance}`); return true; },
    shutdown: async ({ keepServices }) => { calls.push(`shutdown keep=${keepServices}`); },
  };
}

async function setUp() {
  const store = await LowdbStore.open(path.join(dir, 'store.json'));
  const events = new EventLog();
  const { logger, lines } = recordingLogger();
  const loop = fakeLoop();
  const agent = new Agent({ paths: homePaths(dir), store, events, logger, reconcileLoop: loop });
  return { agent, store, events, lines, loop };
}

const apply = (names: string[], dryRun = false) => ({ source: '/srv/app.hcl', services: names.map((name) => desired(name)), prune: false, dryRun });

describe('Agent operations', () => {
  it('applies a plan as one store commit, records an event per service and logs the apply as NDJSON', async () => {
    const { agent, store, events, lines } = await setUp();
    const response = await agent.apply(apply(['web', 'db']));
    expect(response).toMatchObject({ applied: true, revision: 1 });
    expect(store.list().map((r) => r.metadata.name)).toEqual(['db', 'web']);
    expect(events.list('web', 10).map((e) => e.type)).toEqual(['Created']);
    expect(lines.filter((line) => line.action === 'apply')).toEqual([
      expect.objectContaining({ level: 30, action: 'apply', source: '/srv/app.hcl', services: ['create:db', 'create:web'], msg: 'applied' }),
    ]);
  });

  it('a dry run plans the same changes and writes nothing', async () => {
    const { agent, store, lines } = await setUp();
    const response = await agent.apply(apply(['web'], true));
    expect(response.applied).toBe(false);
    expect(response.plan.services.map((s) => `${s.kind}:${s.name}`)).toEqual(['create:web']);
    expect(store.revision).toBe(0);
    expect(lines.filter((line) => line.action === 'apply')).toEqual([]);
  });

  it('refuses to control an unknown name with NOT_FOUND and changes nothing', async () => {
    const { agent, store } = await setUp();
    await agent.apply(apply(['web']));
    const error = await agent.restart(['nope']).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(HxeError);
    expect((error as HxeError).code).toBe('NOT_FOUND');
    expect(store.revision).toBe(1);
  });

  it('never touches a process: a restart is a store change; shutdown goes through the reconcile loop port', async () => {
    const { agent, store, loop } = await setUp();
    await agent.apply(apply(['web']));
    await agent.restart(['web']);
    expect(store.revision).toBe(2);
    expect(loop.calls).toEqual([]);
    await agent.shutdown({ keepServices: true });
    expect(loop.calls).toEqual(['shutdown keep=true']);
  });
});
