import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIFECYCLE_STATES } from '../../src/core/types.js';
import { createAlertEngine } from '../../src/alerts/engine.js';
import { alertsConfig, harness, MINUTE, recordingNotifier, SECOND, settle, T0, transitions } from './helpers.js';

const MiB = 2 ** 20;

describe('alert engine: default rules, without any configuration', () => {
  it('fires crashloop once, stays quiet through its retries, and resolves once it has stayed up', async () => {
    const h = harness();
    h.status('web', 'running');
    h.status('web', 'crashloop', { message: 'crashloop: 5 restarts in 2m; next try in 5m (exited with code 1)' });
    h.advance(5 * MINUTE);
    h.status('web', 'starting');
    h.status('web', 'running');
    h.advance(2 * SECOND);
    h.status('web', 'crashloop');
    h.advance(5 * MINUTE);
    h.status('web', 'starting');
    h.status('web', 'running');
    h.advance(59 * SECOND);
    expect(transitions(await h.sent())).toEqual([['crashloop/web firing']]);
    h.advance(1 * SECOND);
    expect(transitions(await h.sent())).toEqual([['crashloop/web firing'], ['crashloop/web resolved']]);
    const [firing] = h.notifier.sent;
    expect(firing).toMatchObject({ version: 1, status: 'firing', agent: 'test-host', title: 'FIRING: crashloop web' });
    expect(firing.alerts[0]).toMatchObject({
      rule: 'crashloop', type: 'crashloop', severity: 'critical', instance: 'web', state: 'firing',
      startsAt: new Date(T0).toISOString(), summary: 'crashloop: 5 restarts in 2m; next try in 5m (exited with code 1)',
    });
    expect(h.notifier.sent[1].alerts[0].endsAt).toBe(new Date(h.now()).toISOString());
    expect(h.engine.active()).toEqual([]);
  });

  it('resolves crashloop at once when the instance is stopped', async () => {
    const h = harness({ group_wait: '10s' });
    h.status('web', 'crashloop');
    h.status('web', 'stopped');
    // Started and ended within one window: receivers never hear of it.
    expect(await h.sent()).toEqual([]);
    h.status('web', 'crashloop');
    h.advance(10 * SECOND);
    h.status('web', 'stopped');
    h.advance(10 * SECOND);
    expect(transitions(await h.sent())).toEqual([['crashloop/web firing'], ['crashloop/web resolved']]);
  });

  it('fires failed at once and resolves it when the instance starts again', async () => {
    const h = harness();
    h.status('job', 'failed', { message: 'exited with code 1 (restart_policy never)' });
    expect(h.engine.active()).toMatchObject([{ key: 'failed/job', severity: 'critical', summary: 'failed: exited with code 1 (restart_policy never)' }]);
    h.advance(30 * SECOND);
    h.status('job', 'starting');
    expect(transitions(await h.sent())).toEqual([['failed/job firing'], ['failed/job resolved']]);
  });

  it('fires unhealthy only after a minute without becoming healthy, through its restarts', async () => {
    const h = harness();
    h.status('api', 'healthy');
    h.status('api', 'unhealthy', { message: 'health check failed 3 times: HTTP 503' });
    h.advance(5 * SECOND);
    h.status('api', 'backoff', { message: 'exited with code 143; restarting in 1s' });
    h.advance(1 * SECOND);
    h.status('api', 'starting');
    h.status('api', 'running');
    h.advance(53 * SECOND);
    expect(await h.sent()).toEqual([]);
    h.advance(1 * SECOND);
    expect(h.engine.active()).toMatchObject([{ key: 'unhealthy/api', severity: 'warning', summary: 'unhealthy: health check failed 3 times: HTTP 503' }]);
    h.advance(10 * SECOND);
    h.status('api', 'healthy');
    expect(transitions(await h.sent())).toEqual([['unhealthy/api firing'], ['unhealthy/api resolved']]);
  });

  it('does not fire unhealthy for an instance that recovers within the minute', async () => {
    const h = harness();
    h.status('api', 'unhealthy');
    h.advance(20 * SECOND);
    h.status('api', 'running');
    h.status('api', 'healthy');
    h.advance(5 * MINUTE);
    expect(await h.sent()).toEqual([]);
  });

  it('fires restarts when more than 5 happen within 5 minutes, and resolves when they age out', async () => {
    const h = harness();
    // An adopted instance brings its old count: that is a baseline, not 40 restarts now.
    h.status('web', 'running', { restarts: 40 });
    for (let n = 41; n <= 45; n++) {
      h.advance(30 * SECOND);
      h.status('web', 'starting', { restarts: n });
    }
    expect(await h.sent()).toEqual([]);
    h.advance(30 * SECOND);
    h.status('web', 'starting', { restarts: 46 });
    expect(h.engine.active()).toMatchObject([{ key: 'restarts/web', value: 6, summary: '6 restarts within 5m (more than 5)' }]);
    h.advance(1 * MINUTE);
    expect(transitions(await h.sent())).toEqual([['restarts/web firing']]);
    // The first of the six was at 30 s; at 5 m 30 s it leaves the window.
    h.advance(2 * MINUTE);
    expect(transitions(await h.sent())).toEqual([['restarts/web firing'], ['restarts/web resolved']]);
  });

  it('fires store_error for the agent itself and resolves it when the store recovers', async () => {
    const h = harness();
    h.engine.storeError('EACCES: permission denied, open store.json');
    h.engine.storeError('EACCES: permission denied, open store.json');
    h.advance(10 * SECOND);
    h.engine.storeError(null);
    const sent = await h.sent();
    expect(transitions(sent)).toEqual([['store_error/ firing'], ['store_error/ resolved']]);
    expect(sent[0]).toMatchObject({ title: 'FIRING: store_error', alerts: [{ instance: '', severity: 'critical', summary: 'store error: EACCES: permission denied, open store.json' }] });
  });

  it('resolves the alerts of an instance that is deleted', async () => {
    const h = harness();
    h.status('web', 'failed');
    h.advance(1 * SECOND);
    h.engine.observeGone('web');
    expect(transitions(await h.sent())).toEqual([['failed/web firing'], ['failed/web resolved']]);
    expect(h.engine.active()).toEqual([]);
  });
});

describe('alert engine: threshold rules', () => {
  const memoryRule = { rule: { 'high-memory': { type: 'memory', above: '900Mi', for: '2m', services: ['web'] } } };

  it('fires memory above X once it has held for D, once, and resolves when it drops', async () => {
    const h = harness(memoryRule);
    h.status('web', 'running');
    h.sample('web', { memoryBytes: 950 * MiB });
    for (let i = 0; i < 11; i++) {
      h.advance(10 * SECOND);
      h.sample('web', { memoryBytes: 950 * MiB });
    }
    expect(await h.sent()).toEqual([]);
    // Two minutes after the first sample above: fires with the latest value.
    h.advance(10 * SECOND);
    h.sample('web', { memoryBytes: 960 * MiB });
    h.advance(10 * SECOND);
    h.sample('web', { memoryBytes: 1100 * MiB });
    expect(transitions(await h.sent())).toEqual([['high-memory/web firing']]);
    expect(h.notifier.sent[0].alerts[0]).toMatchObject({ value: 950 * MiB, summary: 'memory 950Mi above 900Mi for 2m', severity: 'warning' });
    expect(h.engine.active()[0]).toMatchObject({ value: 1100 * MiB, summary: 'memory 1.1Gi above 900Mi for 2m' });
    h.advance(10 * SECOND);
    h.sample('web', { memoryBytes: 800 * MiB });
    expect(transitions(await h.sent())).toEqual([['high-memory/web firing'], ['high-memory/web resolved']]);
  });

  it('starts the wait over when a sample drops below, or the process changes', async () => {
    const h = harness(memoryRule);
    h.sample('web', { memoryBytes: 950 * MiB });
    h.advance(90 * SECOND);
    h.sample('web', { memoryBytes: 100 * MiB });
    h.advance(10 * SECOND);
    h.sample('web', { memoryBytes: 950 * MiB });
    h.advance(90 * SECOND);
    h.sample('web', { memoryBytes: 950 * MiB, pid: 200 });
    h.advance(90 * SECOND);
    expect(await h.sent()).toEqual([]);
    h.advance(30 * SECOND);
    expect(transitions(await h.sent())).toEqual([['high-memory/web firing']]);
  });

  it('forgets usage when the process is gone', async () => {
    const h = harness(memoryRule);
    h.status('web', 'running');
    h.sample('web', { memoryBytes: 950 * MiB });
    h.advance(3 * MINUTE);
    h.status('web', 'backoff');
    // A sample that was taken before the exit but arrives after it changes nothing.
    h.sample('web', { memoryBytes: 950 * MiB });
    h.advance(3 * MINUTE);
    expect(transitions(await h.sent())).toEqual([['high-memory/web firing'], ['high-memory/web resolved']]);
  });

  it('fires cpu above X % for D', async () => {
    const h = harness({ rule: { busy: { type: 'cpu', above: 90, for: '30s', severity: 'critical' } } });
    h.sample('worker', { cpuPercent: 195.5 });
    h.advance(29 * SECOND);
    h.sample('worker', { cpuPercent: 195.5 });
    expect(await h.sent()).toEqual([]);
    h.advance(1 * SECOND);
    const sent = await h.sent();
    expect(transitions(sent)).toEqual([['busy/worker firing']]);
    expect(sent[0].alerts[0]).toMatchObject({ severity: 'critical', value: 195.5, summary: 'CPU 195.5% above 90% for 30s' });
  });

  it('applies a rule only to the services its filter names (names and globs, service or instance)', async () => {
    const h = harness({ rule: { mem: { type: 'memory', above: '1Mi', for: '0s', services: ['web', 'api-*', 'db-1'] } } });
    for (const instance of ['web', 'web-0', 'web-1', 'webhook', 'api-internal', 'db-0', 'db-1']) h.sample(instance, { memoryBytes: 2 * MiB });
    expect(h.engine.active().map((alert) => alert.instance).sort()).toEqual(['api-internal', 'db-1', 'web', 'web-0', 'web-1']);
  });

  it('uses the agent\'s serviceOf when given', () => {
    const notifier = recordingNotifier();
    const config = alertsConfig({ rule: { mem: { type: 'memory', above: '1Mi', for: '0s', services: ['db'] } } });
    const engine = createAlertEngine(config, { notifiers: [notifier], serviceOf: (instance) => (instance === 'primary' ? 'db' : instance) });
    engine.observeSamples([
      { instance: 'primary', pid: 1, at: T0, cpuPercent: 0, cpuSeconds: 0, memoryBytes: 2 * MiB, processes: 1 },
      { instance: 'db-0', pid: 2, at: T0, cpuPercent: 0, cpuSeconds: 0, memoryBytes: 2 * MiB, processes: 1 },
    ]);
    expect(engine.active().map((alert) => alert.instance)).toEqual(['primary']);
  });
});

describe('alert engine: deduplication and aggregation', () => {
  it('sends ONE notification with a summary for 20 instances entering crashloop within the window', async () => {
    const h = harness({ group_wait: '10s' });
    for (let i = 0; i < 20; i++) {
      h.status(`web-${i}`, 'crashloop');
      h.advance(400);
    }
    for (let i = 0; i < 2; i++) h.status(`db-${i}`, 'failed');
    expect(await h.sent()).toEqual([]);
    h.advance(2 * SECOND);
    const sent = await h.sent();
    expect(sent).toHaveLength(1);
    expect(sent[0].title).toBe('22 services firing: crashloop ×20, failed ×2');
    expect(sent[0].alerts).toHaveLength(22);
    expect(sent[0].summary.split('\n')).toHaveLength(2 + 22);
    expect(sent[0].summary).toContain('[FIRING] critical crashloop web-7: crashloop');
    // Persisting: nothing more, however often the status repeats.
    for (let i = 0; i < 20; i++) h.status(`web-${i}`, 'crashloop');
    h.advance(1 * MINUTE);
    expect(await h.sent()).toHaveLength(1);
  });

  it('names each alert in the title up to five, and reports a mixed window', async () => {
    const h = harness({ group_wait: '10s' });
    h.status('a', 'failed');
    h.status('b', 'failed');
    h.advance(10 * SECOND);
    h.status('a', 'starting');
    h.status('c', 'crashloop');
    h.advance(10 * SECOND);
    const sent = await h.sent();
    expect(sent.map((n) => [n.status, n.title])).toEqual([
      ['firing', 'FIRING: failed a, failed b'],
      ['mixed', 'FIRING: crashloop c; RESOLVED: failed a'],
    ]);
  });

  it('does not tell receivers again about an alert that resolved and fired again within one window', async () => {
    const h = harness({ group_wait: '10s' });
    h.status('a', 'failed');
    h.advance(10 * SECOND);
    h.status('a', 'starting');
    h.status('a', 'failed');
    h.advance(10 * SECOND);
    expect(transitions(await h.sent())).toEqual([['failed/a firing']]);
  });

  it('reminds of a still-firing alert every repeat_interval (4h by default)', async () => {
    const h = harness();
    h.status('a', 'failed');
    h.advance(4 * 60 * MINUTE - SECOND);
    expect(await h.sent()).toHaveLength(1);
    h.advance(SECOND);
    expect(transitions(await h.sent())).toEqual([['failed/a firing'], ['failed/a firing']]);
  });

  it('never repeats with repeat_interval = "0"', async () => {
    const h = harness({ repeat_interval: '0' });
    h.status('a', 'failed');
    for (let i = 0; i < 10; i++) h.advance(60 * MINUTE);
    expect(await h.sent()).toHaveLength(1);
  });

  it('sends what waits in the window when stopped', async () => {
    const h = harness({ group_wait: '1m' });
    h.status('a', 'failed');
    await h.engine.stop();
    expect(transitions(h.notifier.sent)).toEqual([['failed/a firing']]);
    // Stopped: observing does nothing any more.
    h.status('b', 'failed');
    expect(h.engine.active().map((alert) => alert.instance)).toEqual(['a']);
  });
});

describe('alert engine: robustness', () => {
  it('evaluates without notifiers (alerts visible through active())', () => {
    const engine = createAlertEngine(alertsConfig(undefined), { notifiers: [] });
    engine.observeStatus('web', { state: 'failed', restarts: 0, message: 'cannot start: spawn x ENOENT' });
    expect(engine.active()).toMatchObject([{ key: 'failed/web', state: 'firing' }]);
  });

  it('does nothing when disabled', async () => {
    const notifier = recordingNotifier();
    const engine = createAlertEngine(alertsConfig({ enabled: false, group_wait: '0s' }), { notifiers: [notifier] });
    engine.observeStatus('web', { state: 'failed', restarts: 0, message: '' });
    engine.storeError('broken');
    engine.tick();
    await engine.stop();
    expect(engine.active()).toEqual([]);
    expect(notifier.sent).toEqual([]);
  });

  it('survives a notifier that throws synchronously, and keeps delivering to the others', async () => {
    const good = recordingNotifier('good');
    const warnings: object[] = [];
    const bad = { name: 'bad', send: () => { throw new Error('boom'); } };
    const config = alertsConfig({ group_wait: '0s', retry: { attempts: 1 } });
    const engine = createAlertEngine(config, { notifiers: [bad, good], logger: { warn: (o) => void warnings.push(o), info: () => undefined } });
    engine.observeStatus('web', { state: 'failed', restarts: 0, message: '' });
    await settle();
    expect(good.sent).toHaveLength(1);
    expect(warnings).toContainEqual(expect.objectContaining({ notifier: 'bad', err: 'boom' }));
    await engine.stop();
  });

  it('ticks on its own once started', async () => {
    const notifier = recordingNotifier();
    const engine = createAlertEngine(alertsConfig({ group_wait: '0s', rule: { failed: { for: '1s' } } }), { notifiers: [notifier] });
    engine.start();
    engine.observeStatus('web', { state: 'failed', restarts: 0, message: '' });
    await expect.poll(() => notifier.sent.length, { timeout: 10_000 }).toBe(1);
    await engine.stop();
  });
});

describe('alert engine: properties', () => {
  const step = fc.oneof(
    fc.record({ kind: fc.constant('status' as const), instance: fc.constantFrom('a', 'b-0', 'b-1'), state: fc.constantFrom(...LIFECYCLE_STATES), restart: fc.boolean() }),
    fc.record({ kind: fc.constant('sample' as const), instance: fc.constantFrom('a', 'b-0', 'b-1'), mib: fc.integer({ min: 0, max: 2_000 }) }),
    fc.record({ kind: fc.constant('store' as const), failing: fc.boolean() }),
    fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 3 * MINUTE }) }),
  );

  it('tells receivers of each alert alternately firing then resolved, and what they know at the end is what is active', async () => {
    await fc.assert(fc.asyncProperty(fc.array(step, { maxLength: 60 }), fc.integer({ min: 0, max: 20 }), async (steps, groupWaitSeconds) => {
      const h = harness({ group_wait: `${groupWaitSeconds}s`, repeat_interval: '0', rule: { mem: { type: 'memory', above: '1Gi', for: '1m' } } });
      const restarts = new Map<string, number>();
      for (const s of steps) {
        if (s.kind === 'status') {
          const count = (restarts.get(s.instance) ?? 0) + (s.restart ? 1 : 0);
          restarts.set(s.instance, count);
          h.status(s.instance, s.state, { restarts: count });
        } else if (s.kind === 'sample') h.sample(s.instance, { memoryBytes: s.mib * MiB });
        else if (s.kind === 'store') h.engine.storeError(s.failing ? 'broken' : null);
        else h.advance(s.ms);
      }
      // stop() sends what waits in the window.
      await h.engine.stop();
      const told = new Map<string, string>();
      for (const notification of h.notifier.sent) {
        expect(notification.alerts.length).toBeGreaterThan(0);
        for (const alert of notification.alerts) {
          expect(told.get(alert.key) ?? 'resolved').not.toBe(alert.state);
          told.set(alert.key, alert.state);
        }
      }
      const toldFiring = [...told].filter(([, state]) => state === 'firing').map(([key]) => key).sort();
      expect(toldFiring).toEqual(h.engine.active().map((alert) => alert.key).sort());
    }), { numRuns: 200 });
  });
});
