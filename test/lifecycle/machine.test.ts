import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { LIFECYCLE_STATES, type RestartPolicy } from '../../src/core/types.js';
import { instanceMachine, statusOf } from '../../src/lifecycle/machine.js';
import { config, flush, healthCheck, startMachine } from './harness.js';

describe('starting', () => {
  it('waits in pending until START, then spawns and runs', async () => {
    const h = startMachine();
    expect(h.status()).toMatchObject({ state: 'pending', ready: false, pid: null, message: 'waiting to start' });
    expect(h.spawns).toHaveLength(0);

    h.send({ type: 'START' });
    expect(h.status()).toMatchObject({ state: 'starting', ready: false, message: 'starting' });
    expect(h.spawns.map((s) => s.input)).toEqual([{ instance: 'web' }]);

    await h.spawned(42);
    expect(h.status()).toEqual({
      state: 'running', ready: true, pid: 42, pidStartTime: 420, pidBootId: 'boot', pidCommand: 'cmd', restarts: 0, exitCode: null, signal: null,
      startedAt: 'started-42', message: 'running', lastProbe: null,
    });
  });

  it.each<RestartPolicy>(['always', 'on-failure', 'never'])('goes to failed when the spawn fails (%s)', async (policy) => {
    const h = startMachine({ config: config({ policy }) });
    h.send({ type: 'START' });
    await h.spawnFails('spawn node ENOENT');
    expect(h.status()).toMatchObject({ state: 'failed', ready: false, pid: null, message: 'cannot start: spawn node ENOENT' });
    await h.advance(3_600_000);
    expect(h.spawns).toHaveLength(1);
  });

  it('ignores START while already starting or running', async () => {
    const h = startMachine();
    h.send({ type: 'START' });
    h.send({ type: 'START' });
    await h.spawned(42);
    h.send({ type: 'START' });
    expect(h.state()).toBe('running');
    expect(h.spawns).toHaveLength(1);
  });

  it.each(['stopped', 'completed', 'failed'] as const)('starts again from %s on START', async (state) => {
    const h = startMachine({ config: config({ policy: 'never' }) });
    await h.run(42);
    if (state === 'stopped') {
      h.send({ type: 'STOP' });
      await h.stopped();
    } else {
      h.exit(42, state === 'completed' ? 0 : 1);
    }
    expect(h.state()).toBe(state);
    h.send({ type: 'START' });
    expect(h.state()).toBe('starting');
    await h.spawned(43);
    expect(h.status()).toMatchObject({ state: 'running', pid: 43, exitCode: null, restarts: 0 });
  });
});

describe('stopping', () => {
  it('stops a running process: stopping, then stopped once the stop actor resolves', async () => {
    const h = startMachine();
    await h.run(42);
    h.send({ type: 'STOP' });
    expect(h.status()).toMatchObject({ state: 'stopping', ready: false, pid: 42, message: 'stopping' });
    expect(h.stops.map((s) => s.input)).toEqual([{ pid: 42 }]);
    await h.stopped();
    expect(h.status()).toMatchObject({ state: 'stopped', pid: null, startedAt: null, message: 'stopped' });
  });

  it('stops a healthy process', async () => {
    const h = startMachine({ config: config({ health: healthCheck() }) });
    await h.run(42);
    await h.probe(true);
    expect(h.state()).toBe('healthy');
    h.send({ type: 'STOP' });
    expect(h.state()).toBe('stopping');
    await h.stopped();
    expect(h.state()).toBe('stopped');
    await h.advance(60_000);
    expect(h.probes).toHaveLength(1);
  });

  it('lets a spawn in flight settle, then stops its process', async () => {
    const h = startMachine();
    h.send({ type: 'START' });
    h.send({ type: 'STOP' });
    expect(h.state()).toBe('starting');
    await h.spawned(42);
    expect(h.status()).toMatchObject({ state: 'stopping', pid: 42 });
    await h.stopped();
    expect(h.state()).toBe('stopped');
  });

  it('goes to stopped when a spawn asked to stop fails', async () => {
    const h = startMachine();
    h.send({ type: 'START' });
    h.send({ type: 'STOP' });
    await h.spawnFails('spawn node ENOENT');
    expect(h.state()).toBe('stopped');
  });

  it('forgets a STOP followed by START while starting', async () => {
    const h = startMachine();
    h.send({ type: 'START' });
    h.send({ type: 'STOP' });
    h.send({ type: 'START' });
    await h.spawned(42);
    expect(h.state()).toBe('running');
  });

  it.each(['pending', 'completed', 'failed'] as const)('goes from %s to stopped at once', async (state) => {
    const h = startMachine({ config: config({ policy: 'never' }) });
    if (state !== 'pending') {
      await h.run(42);
      h.exit(42, state === 'completed' ? 0 : 1);
    }
    expect(h.state()).toBe(state);
    h.send({ type: 'STOP' });
    expect(h.state()).toBe('stopped');
    expect(h.stops).toHaveLength(0);
  });

  it('cancels the backoff timer on STOP: advancing time spawns nothing', async () => {
    const h = startMachine();
    await h.run(42);
    h.exit(42, 1);
    expect(h.state()).toBe('backoff');
    h.send({ type: 'STOP' });
    expect(h.status()).toMatchObject({ state: 'stopped', exitCode: 1 });
    expect(h.nextRetryAt()).toBeNull();
    await h.advance(3_600_000);
    expect(h.state()).toBe('stopped');
    expect(h.spawns).toHaveLength(1);
  });

  it('notes an EXIT while stopping and still waits for the stop actor', async () => {
    const h = startMachine();
    await h.run(42);
    h.send({ type: 'STOP' });
    h.exit(42, null, 'SIGTERM');
    expect(h.status()).toMatchObject({ state: 'stopping', pid: null, signal: 'SIGTERM' });
    await h.stopped();
    expect(h.status()).toMatchObject({ state: 'stopped', signal: 'SIGTERM', restarts: 0 });
    expect(h.spawns).toHaveLength(1);
  });

  it('honours a START sent while stopping once the process is gone', async () => {
    const h = startMachine();
    await h.run(42);
    h.send({ type: 'STOP' });
    h.send({ type: 'START' });
    await h.stopped();
    expect(h.state()).toBe('starting');
    await h.spawned(43);
    expect(h.status()).toMatchObject({ state: 'running', pid: 43, restarts: 0 });
  });

  it('lets the last word win: START then STOP while stopping ends stopped', async () => {
    const h = startMachine();
    await h.run(42);
    h.send({ type: 'STOP' });
    h.send({ type: 'START' });
    h.send({ type: 'STOP' });
    await h.stopped();
    expect(h.state()).toBe('stopped');
  });

  it('goes to failed when the stop actor rejects, keeping the pid', async () => {
    const h = startMachine();
    await h.run(42);
    h.send({ type: 'STOP' });
    h.stops[0].reject(new Error('kill EPERM'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.status()).toMatchObject({ state: 'failed', pid: 42, message: 'cannot stop: kill EPERM' });
  });
});

describe('restart', () => {
  it('restarts a running process with the new config, without counting a restart', async () => {
    const h = startMachine();
    await h.run(42);
    const next = config({ health: healthCheck() });
    h.send({ type: 'RESTART', config: next });
    expect(h.status()).toMatchObject({ state: 'stopping', message: 'restarting: stopping the process' });
    await h.stopped();
    expect(h.state()).toBe('starting');
    await h.spawned(43);
    expect(h.status()).toMatchObject({ state: 'running', ready: false, pid: 43, restarts: 0 });
    expect(h.probes.map((p) => p.input)).toEqual([{ instance: 'web', check: next.health }]);
    expect(h.actor.getSnapshot().context.config).toBe(next);
  });

  it('keeps the config when RESTART brings none', async () => {
    const first = config();
    const h = startMachine({ config: first });
    await h.run(42);
    h.send({ type: 'RESTART' });
    await h.stopped();
    expect(h.actor.getSnapshot().context.config).toBe(first);
  });

  it('restarts after a spawn in flight settles', async () => {
    const h = startMachine();
    h.send({ type: 'START' });
    h.send({ type: 'RESTART' });
    await h.spawned(42);
    expect(h.status()).toMatchObject({ state: 'stopping', pid: 42 });
    await h.stopped();
    await h.spawned(43);
    expect(h.status()).toMatchObject({ state: 'running', pid: 43 });
  });

  it('tries again with the new config when a spawn asked to restart fails', async () => {
    const h = startMachine();
    h.send({ type: 'START' });
    h.send({ type: 'RESTART', config: config({ policy: 'never' }) });
    await h.spawnFails('spawn node ENOENT');
    expect(h.state()).toBe('starting');
    expect(h.spawns).toHaveLength(2);
  });

  it.each(['pending', 'stopped', 'completed', 'failed'] as const)('starts at once from %s', async (state) => {
    const h = startMachine({ config: config({ policy: 'never' }) });
    if (state === 'stopped') h.send({ type: 'STOP' });
    if (state === 'completed' || state === 'failed') {
      await h.run(42);
      h.exit(42, state === 'completed' ? 0 : 1);
    }
    expect(h.state()).toBe(state);
    h.send({ type: 'RESTART' });
    expect(h.state()).toBe('starting');
    await h.spawned(43);
    expect(h.status()).toMatchObject({ state: 'running', restarts: 0 });
  });

  it('restarts at once from backoff and forgets the crash history', async () => {
    const h = startMachine();
    await h.run(42);
    await h.crash(42, 1_000, 43);
    h.exit(43, 1);
    expect(h.status().message).toBe('exited with code 1; restarting in 2s');
    h.send({ type: 'RESTART' });
    await h.spawned(44);
    expect(h.status()).toMatchObject({ state: 'running', restarts: 1 });
    h.exit(44, 1);
    expect(h.status().message).toBe('exited with code 1; restarting in 1s');
  });
});

describe('exits', () => {
  it('ignores the EXIT of a pid that is not the current one', async () => {
    const h = startMachine();
    await h.run(42);
    h.exit(41, 1);
    expect(h.status()).toMatchObject({ state: 'running', pid: 42, exitCode: null });
  });

  it('ignores a late EXIT of the previous process after a restart', async () => {
    const h = startMachine();
    await h.run(42);
    await h.crash(42, 1_000, 43);
    h.exit(42, 1);
    expect(h.status()).toMatchObject({ state: 'running', pid: 43, restarts: 1 });
  });

  it('ignores a stale EXIT in backoff', async () => {
    const h = startMachine();
    await h.run(42);
    h.exit(42, 1);
    h.exit(42, 1);
    expect(h.state()).toBe('backoff');
    await h.advance(1_000);
    expect(h.spawns).toHaveLength(2);
  });

  it('replays an EXIT that arrives before the spawn settles', async () => {
    const h = startMachine();
    h.send({ type: 'START' });
    h.exit(42, 3);
    await h.spawned(42);
    expect(h.status()).toMatchObject({ state: 'backoff', exitCode: 3, pid: null });
  });

  it('drops an early EXIT of another pid', async () => {
    const h = startMachine();
    h.send({ type: 'START' });
    h.exit(7, 3);
    await h.spawned(42);
    expect(h.status()).toMatchObject({ state: 'running', pid: 42 });
  });

  it('takes a new config in place with UPDATE_CONFIG', async () => {
    const h = startMachine();
    await h.run(42);
    h.send({ type: 'UPDATE_CONFIG', config: config({ policy: 'never' }) });
    expect(h.status()).toMatchObject({ state: 'running', pid: 42 });
    h.exit(42, 1);
    expect(h.status()).toMatchObject({ state: 'failed', message: 'exited with code 1 (restart_policy never)' });
  });
});

describe('adoption', () => {
  const adopted = { pid: 4242, pidStartTime: 99, startedAt: '2024-05-01T10:00:00.000Z', restarts: 7 };

  it('starts in running with the adopted process and never spawns it', async () => {
    const h = startMachine({ adopted, restarts: 3 });
    expect(h.status()).toMatchObject({
      state: 'running', ready: true, pid: 4242, pidStartTime: 99, startedAt: adopted.startedAt, restarts: 7,
    });
    expect(h.spawns).toHaveLength(0);
    h.exit(4242, 1);
    expect(h.status()).toMatchObject({ state: 'backoff', exitCode: 1 });
    await h.advance(1_000);
    expect(h.status()).toMatchObject({ state: 'starting', restarts: 8 });
  });

  it('probes an adopted process with a health check at once', async () => {
    const h = startMachine({ adopted, config: config({ health: healthCheck() }) });
    expect(h.status()).toMatchObject({ state: 'running', ready: false });
    expect(h.probes).toHaveLength(1);
    await h.probe(true);
    expect(h.status()).toMatchObject({ state: 'healthy', ready: true, pid: 4242 });
  });

  it('carries the restart count over without adoption', () => {
    expect(startMachine({ restarts: 3 }).status().restarts).toBe(3);
  });

  it('restores an instance that had ended for good, instead of running it again', async () => {
    const done = startMachine({ settled: { state: 'completed', exitCode: 0, signal: null, message: 'exited with code 0' } });
    expect(done.status()).toMatchObject({ state: 'completed', exitCode: 0, message: 'exited with code 0' });
    const broken = startMachine({ settled: { state: 'failed', exitCode: 3, signal: null, message: 'exited with code 3 (restart_policy never)' } });
    expect(broken.status()).toMatchObject({ state: 'failed', exitCode: 3, message: 'exited with code 3 (restart_policy never)' });
    expect(done.spawns.length + broken.spawns.length).toBe(0);
    broken.send({ type: 'START' });
    await flush();
    expect(broken.status().state).toBe('starting');
  });
});

describe('statusOf', () => {
  it('reads every state the machine rests in as a lifecycle state', () => {
    const states = Object.keys(startMachine().actor.logic.root.states).filter((s) => s !== 'exited');
    expect(states.sort()).toEqual([...LIFECYCLE_STATES].sort());
  });
});

describe('defaults', () => {
  it('fails to start when the input has no ports and no spawn actor was provided', async () => {
    const actor = createActor(instanceMachine, { input: { instance: 'web', config: config() } });
    actor.start();
    actor.send({ type: 'START' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(statusOf(actor.getSnapshot())).toMatchObject({
      state: 'failed', message: 'cannot start: lifecycle actor "spawn": no ports in the input, and the actor was not provided',
    });
  });
});
