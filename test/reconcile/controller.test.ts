import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventLog } from '../../src/events/event-log.js';
import { Controller } from '../../src/reconcile/controller.js';
import { RETRY_BASE_MS } from '../../src/reconcile/work-queue.js';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import type { Store } from '../../src/store/store.js';
import { FakeProber, FakeRuntime, recordingLogger } from '../helpers/fake-ports.js';
import { waitFor } from '../helpers/processes.js';
import { recordOf } from '../helpers/specs.js';

let dir: string;
let controller: Controller | null = null;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hxe-controller-'));
});
afterEach(async () => {
  await controller?.shutdown({ keepServices: true });
  controller = null;
  await fs.rm(dir, { recursive: true, force: true });
});

/** The real store, whose `get` of `failing` throws `times` times once armed. */
function flakyStore(store: LowdbStore, failing: string): Store & { arm(times: number): void } {
  let left = 0;
  return new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'arm') return (times: number) => { left = times; };
      if (key === 'get') {
        return (name: string) => {
          if (name === failing && left > 0) {
            left -= 1;
            throw new Error(`store read of ${name} failed`);
          }
          return target.get(name);
        };
      }
      const value = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as unknown as Store & { arm(times: number): void };
}

async function setUp() {
  const store = await LowdbStore.open(path.join(dir, 'store.json'));
  const runtime = new FakeRuntime();
  const { logger, lines } = recordingLogger();
  const flaky = flakyStore(store, 'bad');
  controller = new Controller({ store: flaky, runtime, prober: new FakeProber(), events: new EventLog(), logger });
  await controller.start();
  return { store: flaky, runtime, lines };
}

describe('Controller', () => {
  it('starts every instance a stored service asks for, through the runtime port', async () => {
    const { store, runtime } = await setUp();
    await store.put([recordOf('web', { instances: 2 }), recordOf('db')]);
    await waitFor(() => runtime.spawned.length === 3);
    expect(runtime.spawned.map((r) => r.instance).sort()).toEqual(['db', 'web-0', 'web-1']);
    await waitFor(() => store.getStatus('web-0')?.state === 'running');
  });

  it('a reconcile that throws is logged and retried with backoff, never stopping the other services', async () => {
    const { store, runtime, lines } = await setUp();
    store.arm(2);
    await store.put([recordOf('bad'), recordOf('good')]);
    await waitFor(() => runtime.spawned.some((r) => r.instance === 'good'));
    await waitFor(() => runtime.spawned.some((r) => r.instance === 'bad'));
    const failures = lines.filter((line) => line.msg === 'reconcile failed');
    expect(failures).toEqual([
      expect.objectContaining({ level: 50, service: 'bad', action: 'reconcile', err: 'store read of bad failed', retryInMs: RETRY_BASE_MS }),
      expect.objectContaining({ level: 50, service: 'bad', action: 'reconcile', retryInMs: RETRY_BASE_MS * 2 }),
    ]);
  });

  it('restarts an instance whose process exited, as its restart policy asks', async () => {
    const { store, runtime } = await setUp();
    await store.put([recordOf('web', { backoff: { initial: 10, multiplier: 2, max: 100, reset_after: 60_000 } })]);
    const first = await waitFor(() => runtime.pidOf('web'));
    await waitFor(() => store.getStatus('web')?.state === 'running');
    runtime.exit(first, 1);
    const second = await waitFor(() => { const pid = runtime.pidOf('web'); return pid !== first ? pid : undefined; });
    expect(second).toBeGreaterThan(first);
    await waitFor(() => store.getStatus('web')?.restarts === 1);
  });

  it('a failure the agent reports (a memory limit) goes through the plan: stopped, restarted as after a crash, reported once', async () => {
    const { store, runtime } = await setUp();
    await store.put([recordOf('web', { backoff: { initial: 10, multiplier: 2, max: 100, reset_after: 60_000 } })]);
    const first = await waitFor(() => runtime.pidOf('web'));
    await waitFor(() => store.getStatus('web')?.state === 'running');
    expect(controller!.restartInstance('web', 'memory over its limit', first + 1)).toBe(false);
    expect(controller!.restartInstance('web', 'memory over its limit', first)).toBe(true);
    expect(controller!.restartInstance('web', 'memory over its limit', first)).toBe(false);
    await waitFor(() => runtime.stopped.some((stop) => stop.pid === first));
    const second = await waitFor(() => { const pid = runtime.pidOf('web'); return pid !== first ? pid : undefined; });
    expect(second).toBeGreaterThan(first);
    await waitFor(() => store.getStatus('web')?.restarts === 1 && store.getStatus('web')?.state === 'running');
    expect(controller!.restartInstance('nope', 'memory over its limit', second)).toBe(false);
  });

  it('stops the instances of a deleted service with their stop signal', async () => {
    const { store, runtime } = await setUp();
    await store.put([recordOf('web', { stop_signal: 'SIGINT' })]);
    const pid = await waitFor(() => runtime.pidOf('web'));
    await waitFor(() => store.getStatus('web')?.state === 'running');
    await store.delete(['web']);
    await waitFor(() => runtime.stopped.some((stop) => stop.pid === pid));
    expect(runtime.stopped).toEqual([{ pid, signal: 'SIGINT' }]);
    await waitFor(() => store.getStatus('web') === undefined);
  });

  it('a live instance whose stop waits for its dependents says so in its status, and stops after them', async () => {
    const { store, runtime } = await setUp();
    await store.put([recordOf('db'), recordOf('web', { depends_on: ['db'] })]);
    await waitFor(() => store.getStatus('web')?.state === 'running');
    const web = runtime.pidOf('web')!;
    runtime.manualStops = true;
    await store.delete(['db', 'web']);
    await waitFor(() => store.getStatus('db')?.message === 'stopping after web');
    expect(store.getStatus('db')?.state).toBe('running');
    expect(runtime.stopped.map((stop) => stop.pid)).toEqual([web]);
    runtime.exit(web, null, 'SIGTERM');
    await waitFor(() => runtime.stopped.length === 2);
    runtime.exit(runtime.stopped[1].pid, null, 'SIGTERM');
    await waitFor(() => store.getStatus('db') === undefined);
  });
});
