import { describe, expect, it } from 'vitest';
import { config, healthCheck, startMachine } from './harness.js';

/** A started instance with a health check (interval 10 s, retries 3), running as pid 42. */
async function probed(overrides: Parameters<typeof healthCheck>[0] = {}) {
  const h = startMachine({ config: config({ health: healthCheck(overrides) }) });
  await h.run(42);
  return h;
}

describe('health checks', () => {
  it('probes at once on running, and is healthy and ready once a probe passes', async () => {
    const h = await probed();
    expect(h.status()).toMatchObject({ state: 'running', ready: false, message: 'running; waiting for the health check' });
    expect(h.probes.map((p) => p.input.instance)).toEqual(['web']);
    await h.probe(true);
    expect(h.status()).toMatchObject({ state: 'healthy', ready: true, message: 'healthy' });
    expect(h.status().lastProbe).toMatchObject({ ok: true, message: 'HTTP 200' });
  });

  it('probes again every interval: not at interval - 1 ms, at interval', async () => {
    const h = await probed();
    await h.probe(true);
    await h.advance(9_999);
    expect(h.probes).toHaveLength(1);
    await h.advance(1);
    expect(h.probes).toHaveLength(2);
    await h.probe(true);
    await h.advance(10_000);
    expect(h.probes).toHaveLength(3);
  });

  it('stays healthy while failures stay below retries, and a pass resets the count', async () => {
    const h = await probed();
    await h.probe(true);
    for (const ok of [false, false, true, false, false]) {
      await h.advance(10_000);
      await h.probe(ok);
      expect(h.state()).toBe('healthy');
    }
    expect(h.status()).toMatchObject({ ready: true, message: 'health check failed 2 of 3: HTTP 503' });
    expect(h.status().lastProbe).toMatchObject({ ok: false, message: 'HTTP 503' });
  });

  it('goes unhealthy after retries consecutive failures, stops the process, then backs off', async () => {
    const h = await probed();
    await h.probe(true);
    for (let i = 0; i < 3; i++) {
      await h.advance(10_000);
      await h.probe(false, 'connection refused');
    }
    expect(h.status()).toMatchObject({
      state: 'unhealthy', ready: false, pid: 42, message: 'health check failed 3 times: connection refused',
    });
    expect(h.stops.map((s) => s.input)).toEqual([{ pid: 42 }]);
    await h.advance(60_000);
    expect(h.probes).toHaveLength(4);

    await h.stopped();
    expect(h.status()).toMatchObject({
      state: 'backoff', pid: null, message: 'health check failed 3 times: connection refused; restarting in 1s',
    });
    await h.advance(1_000);
    expect(h.status()).toMatchObject({ state: 'starting', restarts: 1 });
  });

  it('goes unhealthy from running when no probe ever passed', async () => {
    const h = await probed({ retries: 2 });
    await h.probe(false);
    expect(h.status()).toMatchObject({ state: 'running', message: 'health check failed 1 of 2: HTTP 503' });
    await h.advance(10_000);
    await h.probe(false);
    expect(h.state()).toBe('unhealthy');
  });

  it('does not count failures within start_period', async () => {
    const h = await probed({ start_period: 30_000, retries: 1 });
    for (let i = 0; i < 3; i++) {
      await h.probe(false);
      expect(h.status()).toMatchObject({ state: 'running', message: 'health check failing in its start period: HTTP 503' });
      await h.advance(10_000);
    }
    // 30 s up: the start period is over and this failure counts.
    await h.probe(false);
    expect(h.state()).toBe('unhealthy');
  });

  it('is healthy as soon as a probe passes within start_period', async () => {
    const h = await probed({ start_period: 30_000 });
    await h.probe(false);
    await h.advance(10_000);
    await h.probe(true);
    expect(h.state()).toBe('healthy');
  });

  it('counts a rejected probe as a failure with its error', async () => {
    const h = await probed({ retries: 1 });
    h.probes[0].reject(new Error('probe crashed'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.status()).toMatchObject({ state: 'unhealthy', message: 'health check failed 1 time: probe crashed' });
    expect(h.status().lastProbe).toMatchObject({ ok: false, message: 'probe crashed' });
  });

  it('treats the end of an unhealthy process as a failure even when it exits 0', async () => {
    const h = startMachine({ config: config({ policy: 'on-failure', health: healthCheck({ retries: 1 }) }) });
    await h.run(42);
    await h.probe(false);
    h.exit(42, 0);
    expect(h.status()).toMatchObject({ state: 'unhealthy', exitCode: 0, pid: null });
    await h.stopped();
    expect(h.status()).toMatchObject({ state: 'backoff', exitCode: 0 });
  });

  it('goes to failed from unhealthy under restart_policy never', async () => {
    const h = startMachine({ config: config({ policy: 'never', health: healthCheck({ retries: 1 }) }) });
    await h.run(42);
    await h.probe(false);
    await h.stopped();
    expect(h.status()).toMatchObject({
      state: 'failed', message: 'health check failed 1 time: HTTP 503 (restart_policy never)',
    });
  });

  it('honours STOP while unhealthy: stopped, no restart', async () => {
    const h = await probed({ retries: 1 });
    await h.probe(false);
    h.send({ type: 'STOP' });
    expect(h.state()).toBe('unhealthy');
    await h.stopped();
    expect(h.state()).toBe('stopped');
    await h.advance(60_000);
    expect(h.spawns).toHaveLength(1);
  });

  it('honours RESTART while unhealthy: starts again at once, not counted', async () => {
    const h = await probed({ retries: 1 });
    await h.probe(false);
    h.send({ type: 'RESTART' });
    await h.stopped();
    expect(h.status()).toMatchObject({ state: 'starting', restarts: 0 });
  });

  it('keeps restarting an unhealthy process when STOP is taken back by START', async () => {
    const h = await probed({ retries: 1 });
    await h.probe(false);
    h.send({ type: 'STOP' });
    h.send({ type: 'START' });
    await h.stopped();
    expect(h.state()).toBe('backoff');
  });
});

describe('health check changes in place (UPDATE_CONFIG)', () => {
  it('keeps a healthy instance healthy when the check is unchanged', async () => {
    const h = await probed();
    await h.probe(true);
    h.send({ type: 'UPDATE_CONFIG', config: config({ health: healthCheck(), policy: 'never' }) });
    expect(h.state()).toBe('healthy');
    expect(h.probes).toHaveLength(1);
  });

  it('probes a new check at once; the instance is not ready until it passes', async () => {
    const h = await probed();
    await h.probe(true);
    const check = healthCheck({ url: 'http://localhost:3000/ready' });
    h.send({ type: 'UPDATE_CONFIG', config: config({ health: check }) });
    expect(h.status()).toMatchObject({ state: 'running', ready: false, pid: 42 });
    expect(h.probes.at(-1)?.input.check).toEqual(check);
    await h.probe(true);
    expect(h.state()).toBe('healthy');
  });

  it('makes a healthy instance plainly running and ready when its check is removed', async () => {
    const h = await probed();
    await h.probe(true);
    h.send({ type: 'UPDATE_CONFIG', config: config() });
    expect(h.status()).toMatchObject({ state: 'running', ready: true, message: 'running' });
    await h.advance(60_000);
    expect(h.probes).toHaveLength(1);
  });

  it('starts probing a running instance that gains a check', async () => {
    const h = startMachine();
    await h.run(42);
    h.send({ type: 'UPDATE_CONFIG', config: config({ health: healthCheck() }) });
    expect(h.status()).toMatchObject({ state: 'running', ready: false });
    expect(h.probes).toHaveLength(1);
  });
});
