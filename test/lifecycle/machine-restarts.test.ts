import { describe, expect, it } from 'vitest';
import type { LifecycleState, RestartPolicy } from '../../src/core/types.js';
import { BACKOFF, config, CRASHLOOP, healthCheck, startMachine, type Harness } from './harness.js';

/** Exits the current process (pid) with code 1 and checks the backoff delay: not fired at delay - 1 ms, fired at delay. */
async function expectBackoff(h: Harness, pid: number, delay: number, message: string): Promise<void> {
  const spawns = h.spawns.length;
  h.exit(pid, 1);
  expect(h.status()).toMatchObject({ state: 'backoff', pid: null, exitCode: 1, message });
  expect(h.nextRetryAt()).toBe(h.clock.now() + delay);
  if (delay > 0) {
    await h.advance(delay - 1);
    expect(h.state()).toBe('backoff');
    expect(h.spawns).toHaveLength(spawns);
  }
  await h.advance(delay === 0 ? 0 : 1);
  expect(h.state()).toBe('starting');
  expect(h.spawns).toHaveLength(spawns + 1);
  await h.spawned(pid + 1);
}

describe('restart policies', () => {
  const cases: [RestartPolicy, number | null, string | null, LifecycleState, string][] = [
    ['always', 0, null, 'backoff', 'exited with code 0; restarting in 1s'],
    ['always', 1, null, 'backoff', 'exited with code 1; restarting in 1s'],
    ['always', null, 'SIGKILL', 'backoff', 'killed by SIGKILL; restarting in 1s'],
    ['on-failure', 0, null, 'completed', 'exited with code 0'],
    ['on-failure', 2, null, 'backoff', 'exited with code 2; restarting in 1s'],
    ['on-failure', null, 'SIGSEGV', 'backoff', 'killed by SIGSEGV; restarting in 1s'],
    ['never', 0, null, 'completed', 'exited with code 0'],
    ['never', 1, null, 'failed', 'exited with code 1 (restart_policy never)'],
    ['never', null, 'SIGTERM', 'failed', 'killed by SIGTERM (restart_policy never)'],
  ];

  it.each(cases)('%s, exit code %s, signal %s: %s', async (policy, code, signal, state, message) => {
    const h = startMachine({ config: config({ policy }) });
    await h.run(42);
    h.exit(42, code, signal);
    expect(h.status()).toMatchObject({ state, ready: false, pid: null, exitCode: code, signal, message, restarts: 0 });
    await h.advance(3_600_000);
    expect(h.spawns).toHaveLength(state === 'backoff' ? 2 : 1);
  });

  it('restarts from healthy on exit, like from running', async () => {
    const h = startMachine({ config: config({ health: healthCheck({ type: 'tcp', url: null, port: 5432 }) }) });
    await h.run(42);
    await h.probe(true);
    h.exit(42, 1);
    expect(h.state()).toBe('backoff');
  });
});

describe('backoff', () => {
  it('doubles the delay on each restart up to the cap: 1s, 2s, 4s, 8s, 10s, 10s', async () => {
    const h = startMachine({ config: config({ backoff: { ...BACKOFF, max: 10_000 } }) });
    await h.run(1);
    const delays = [1_000, 2_000, 4_000, 8_000, 10_000, 10_000];
    for (const [n, delay] of delays.entries()) {
      await expectBackoff(h, n + 1, delay, `exited with code 1; restarting in ${delay / 1_000}s`);
      expect(h.status()).toMatchObject({ state: 'running', restarts: n + 1 });
    }
  });

  it('restarts at once with a "0s" initial delay, never resting in backoff', async () => {
    const h = startMachine({ config: config({ backoff: { ...BACKOFF, initial: 0 } }) });
    await h.run(42);
    for (const pid of [42, 43, 44]) {
      h.exit(pid, 1);
      expect(h.status()).toMatchObject({ state: 'starting', exitCode: 1 });
      await h.spawned(pid + 1);
    }
    expect(h.status()).toMatchObject({ state: 'running', restarts: 3 });
  });

  it('uses multiplier 1 as a constant delay', async () => {
    const h = startMachine({ config: config({ backoff: { ...BACKOFF, multiplier: 1, initial: 3_000 } }) });
    await h.run(1);
    for (const pid of [1, 2, 3]) await expectBackoff(h, pid, 3_000, 'exited with code 1; restarting in 3s');
  });

  it('starts over from the initial delay after reset_after of uptime', async () => {
    const h = startMachine();
    await h.run(1);
    await expectBackoff(h, 1, 1_000, 'exited with code 1; restarting in 1s');
    await expectBackoff(h, 2, 2_000, 'exited with code 1; restarting in 2s');
    await h.advance(60_000);
    await expectBackoff(h, 3, 1_000, 'exited with code 1; restarting in 1s');
    expect(h.status().restarts).toBe(3);
  });

  it('keeps growing when the process was up for reset_after - 1 ms', async () => {
    const h = startMachine();
    await h.run(1);
    await expectBackoff(h, 1, 1_000, 'exited with code 1; restarting in 1s');
    await h.advance(59_999);
    await expectBackoff(h, 2, 2_000, 'exited with code 1; restarting in 2s');
  });
});

describe('crashloop', () => {
  const loop = { ...CRASHLOOP, max_restarts: 3, window: 120_000 };
  const backoff = { ...BACKOFF, max: 300_000 };

  /** Runs pid 1 and crashes it three times (delays 1s, 2s, 4s): pid 4 runs, 3 restarts inside the window. */
  async function threeCrashes(overrides: Partial<typeof loop> = {}) {
    const h = startMachine({ config: config({ backoff, crashloop: { ...loop, ...overrides } }) });
    await h.run(1);
    await h.crash(1, 1_000, 2);
    await h.crash(2, 2_000, 3);
    await h.crash(3, 4_000, 4);
    expect(h.status()).toMatchObject({ state: 'running', pid: 4, restarts: 3 });
    return h;
  }

  it('enters crashloop after max_restarts within the window, and retries only every backoff.max', async () => {
    const h = await threeCrashes();
    h.exit(4, 1);
    expect(h.status()).toMatchObject({
      state: 'crashloop', ready: false, exitCode: 1,
      message: 'crashloop: 3 restarts in 2m; next try in 5m (exited with code 1)',
    });
    expect(h.nextRetryAt()).toBe(h.clock.now() + 300_000);
    await h.advance(299_999);
    expect(h.spawns).toHaveLength(4);
    await h.advance(1);
    expect(h.status()).toMatchObject({ state: 'starting', restarts: 4 });
    await h.spawned(5);
    expect(h.state()).toBe('running');
  });

  it('waits backoff.max for every restart while the crashloop lasts', async () => {
    const h = await threeCrashes();
    h.exit(4, 1);
    await h.advance(300_000);
    await h.spawned(5);
    h.exit(5, 2);
    expect(h.status()).toMatchObject({
      state: 'crashloop', message: 'crashloop: 3 restarts in 2m; next try in 5m (exited with code 2)',
    });
    await h.advance(299_999);
    expect(h.state()).toBe('crashloop');
    await h.advance(1);
    expect(h.state()).toBe('starting');
  });

  it('ends once an instance started from crashloop stays up for reset_after', async () => {
    const h = await threeCrashes();
    h.exit(4, 1);
    await h.advance(300_000);
    await h.spawned(5);
    await h.advance(60_000);
    expect(h.status()).toMatchObject({ state: 'running', ready: true, message: 'running' });
    h.exit(5, 1);
    expect(h.status()).toMatchObject({ state: 'backoff', message: 'exited with code 1; restarting in 1s' });
  });

  it('forgets restarts older than the window', async () => {
    // Every 5 s a restart, window 10 s: never 3 inside it.
    const h = startMachine({
      config: config({ backoff: { ...backoff, initial: 5_000, multiplier: 1 }, crashloop: { ...loop, window: 10_000 } }),
    });
    await h.run(1);
    for (const pid of [1, 2, 3, 4, 5]) await expectBackoff(h, pid, 5_000, 'exited with code 1; restarting in 5s');
    expect(h.status().restarts).toBe(5);
  });

  it('goes to failed instead with give_up', async () => {
    const h = await threeCrashes({ give_up: true });
    h.exit(4, 1);
    expect(h.status()).toMatchObject({
      state: 'failed', pid: null, message: 'crashloop: 3 restarts in 2m; giving up (exited with code 1)',
    });
    await h.advance(3_600_000);
    expect(h.spawns).toHaveLength(4);
  });

  it('stops from crashloop at once, cancelling its timer', async () => {
    const h = await threeCrashes();
    h.exit(4, 1);
    h.send({ type: 'STOP' });
    expect(h.state()).toBe('stopped');
    await h.advance(3_600_000);
    expect(h.spawns).toHaveLength(4);
  });

  it('restarts from crashloop at once on RESTART, with a fresh crash history', async () => {
    const h = await threeCrashes();
    h.exit(4, 1);
    h.send({ type: 'RESTART' });
    await h.spawned(5);
    expect(h.status()).toMatchObject({ state: 'running', restarts: 3 });
    h.exit(5, 1);
    expect(h.status()).toMatchObject({ state: 'backoff', message: 'exited with code 1; restarting in 1s' });
  });

  it('counts restarts from the restored count without resetting it', async () => {
    const h = startMachine({ restarts: 10 });
    await h.run(1);
    await h.crash(1, 1_000, 2);
    expect(h.status().restarts).toBe(11);
  });
});
