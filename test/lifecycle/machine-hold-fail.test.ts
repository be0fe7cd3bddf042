import { describe, expect, it } from 'vitest';
import { BACKOFF, config, CRASHLOOP, healthCheck, startMachine, type Harness } from './harness.js';

/** Brings a fresh machine to `state` (pid 42 for the states with a process). */
async function reach(h: Harness, state: 'pending' | 'stopped' | 'completed' | 'failed' | 'backoff' | 'crashloop'): Promise<void> {
  if (state === 'pending') return;
  if (state === 'stopped') {
    h.send({ type: 'STOP' });
    return;
  }
  await h.run(42);
  h.exit(42, state === 'completed' ? 0 : 1);
}

describe('HOLD: a restart whose start waits for a START', () => {
  it('stops a running process, then waits in pending with the new config, without counting a restart', async () => {
    const h = startMachine();
    await h.run(42);
    const next = config({ health: healthCheck() });
    h.send({ type: 'HOLD', config: next });
    expect(h.status()).toMatchObject({ state: 'stopping', message: 'restarting: stopping the process' });
    await h.stopped();
    expect(h.status()).toMatchObject({ state: 'pending', pid: null, restarts: 0, message: 'waiting to start' });
    await h.advance(3_600_000);
    expect(h.spawns).toHaveLength(1);
    expect(h.actor.getSnapshot().context.config).toBe(next);
    await h.run(43);
    expect(h.status()).toMatchObject({ state: 'running', pid: 43, restarts: 0 });
  });

  it.each([
    ['stopped', 'always'], ['completed', 'on-failure'], ['failed', 'never'], ['backoff', 'always'], ['crashloop', 'always'],
  ] as const)('goes from %s to pending at once, its timers cancelled', async (state, policy) => {
    const h = startMachine({ config: config({ policy, crashloop: { ...CRASHLOOP, max_restarts: state === 'crashloop' ? 0 : 100 } }) });
    await reach(h, state);
    expect(h.state()).toBe(state);
    const spawns = h.spawns.length;
    h.send({ type: 'HOLD' });
    expect(h.state()).toBe('pending');
    await h.advance(3_600_000);
    expect(h.spawns).toHaveLength(spawns);
  });

  it('stays pending and takes the config when pending', () => {
    const h = startMachine();
    const next = config({ policy: 'never' });
    h.send({ type: 'HOLD', config: next });
    expect(h.state()).toBe('pending');
    expect(h.actor.getSnapshot().context.config).toBe(next);
    expect(h.spawns).toHaveLength(0);
  });

  it('forgets the crash history: the next crash backs off from initial', async () => {
    const h = startMachine();
    await h.run(42);
    await h.crash(42, 1_000, 43);
    h.exit(43, 1);
    expect(h.status().message).toBe('exited with code 1; restarting in 2s');
    h.send({ type: 'HOLD' });
    await h.run(44);
    h.exit(44, 1);
    expect(h.status()).toMatchObject({ state: 'backoff', restarts: 1, message: 'exited with code 1; restarting in 1s' });
  });

  it('lets a spawn in flight settle, stops its process, then waits in pending', async () => {
    const h = startMachine();
    h.send({ type: 'START' });
    h.send({ type: 'HOLD' });
    await h.spawned(42);
    expect(h.status()).toMatchObject({ state: 'stopping', pid: 42 });
    await h.stopped();
    expect(h.state()).toBe('pending');
    expect(h.spawns).toHaveLength(1);
  });

  it('waits in pending when a spawn asked to hold fails', async () => {
    const h = startMachine();
    h.send({ type: 'START' });
    h.send({ type: 'HOLD' });
    await h.spawnFails('spawn node ENOENT');
    expect(h.state()).toBe('pending');
    expect(h.spawns).toHaveLength(1);
  });

  it('waits in pending once an unhealthy process is gone', async () => {
    const h = startMachine({ config: config({ health: healthCheck({ retries: 1 }) }) });
    await h.run(42);
    await h.probe(false);
    expect(h.state()).toBe('unhealthy');
    h.send({ type: 'HOLD' });
    await h.stopped();
    expect(h.status()).toMatchObject({ state: 'pending', restarts: 0 });
  });
});

describe('FAIL: a restart that counts as a failure', () => {
  const reason = 'memory 80.0Mi over its limit of 60.0Mi';
  /** FAIL for the current process (or for no process: pid -1). */
  const fail = (h: Harness) => h.send({ type: 'FAIL', pid: h.status().pid ?? -1, reason });

  it('stops the process, then restarts it through backoff, counting the restart', async () => {
    const h = startMachine();
    await h.run(42);
    fail(h);
    expect(h.status()).toMatchObject({ state: 'stopping', pid: 42, message: `${reason}: stopping the process` });
    h.exit(42, null, 'SIGTERM');
    expect(h.state()).toBe('stopping');
    await h.stopped();
    expect(h.status()).toMatchObject({ state: 'backoff', pid: null, signal: 'SIGTERM', restarts: 0, message: `${reason}; restarting in 1s` });
    await h.advance(999);
    expect(h.spawns).toHaveLength(1);
    await h.advance(1);
    await h.spawned(43);
    expect(h.status()).toMatchObject({ state: 'running', pid: 43, restarts: 1 });
  });

  it('grows the backoff at each FAIL and enters crashloop after max_restarts', async () => {
    const h = startMachine({ config: config({ crashloop: { ...CRASHLOOP, max_restarts: 3 } }) });
    await h.run(1);
    for (const [n, delay] of [1_000, 2_000, 4_000].entries()) {
      fail(h);
      await h.stopped();
      expect(h.status()).toMatchObject({ state: 'backoff', message: `${reason}; restarting in ${delay / 1_000}s` });
      await h.advance(delay);
      await h.spawned(n + 2);
    }
    fail(h);
    await h.stopped();
    expect(h.status()).toMatchObject({ state: 'crashloop', restarts: 3 });
    expect(h.status().message).toBe(`crashloop: 3 restarts in 2m; next try in 5m (${reason})`);
    expect(h.nextRetryAt()).toBe(h.clock.now() + BACKOFF.max);
  });

  it('is a failure whatever the exit code: on-failure restarts, never fails', async () => {
    const onFailure = startMachine({ config: config({ policy: 'on-failure' }) });
    await onFailure.run(42);
    fail(onFailure);
    onFailure.exit(42, 0);
    await onFailure.stopped();
    expect(onFailure.state()).toBe('backoff');

    const never = startMachine({ config: config({ policy: 'never' }) });
    await never.run(42);
    fail(never);
    await never.stopped();
    expect(never.status()).toMatchObject({ state: 'failed', message: `${reason} (restart_policy never)` });
  });

  it('is taken from healthy as from running', async () => {
    const h = startMachine({ config: config({ health: healthCheck() }) });
    await h.run(42);
    await h.probe(true);
    fail(h);
    expect(h.state()).toBe('stopping');
  });

  it('is ignored without an up process, and while stopping', async () => {
    const h = startMachine();
    fail(h);
    expect(h.state()).toBe('pending');
    h.send({ type: 'START' });
    fail(h);
    expect(h.state()).toBe('starting');
    await h.spawned(42);
    h.send({ type: 'STOP' });
    fail(h);
    await h.stopped();
    expect(h.state()).toBe('stopped');
  });

  it('ignores a FAIL of an earlier process (a late sample)', async () => {
    const h = startMachine();
    await h.run(42);
    await h.crash(42, 1_000, 43);
    h.send({ type: 'FAIL', pid: 42, reason });
    expect(h.status()).toMatchObject({ state: 'running', pid: 43 });
  });

  it('lets a STOP or RESTART sent meanwhile win', async () => {
    const stop = startMachine();
    await stop.run(42);
    fail(stop);
    stop.send({ type: 'STOP' });
    await stop.stopped();
    expect(stop.state()).toBe('stopped');

    const restart = startMachine();
    await restart.run(42);
    fail(restart);
    restart.send({ type: 'RESTART' });
    await restart.stopped();
    await restart.spawned(43);
    expect(restart.status()).toMatchObject({ state: 'running', restarts: 0 });
  });
});
