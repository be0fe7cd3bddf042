import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlertEngine } from '../../src/alerts/engine.js';
import { createWebhookNotifier } from '../../src/alerts/webhook.js';
import { alertsConfig } from './helpers.js';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A local receiver: `answer` decides each request's status (null: never answer). */
async function startReceiver(answer: (n: number) => number | null) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = answer(received.length);
      if (status !== null) res.writeHead(status).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/hxe`;
  servers.push(server);
  return { url, received };
}

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** How a receiver checks a request, as docs/alerts.md shows it. */
function verify(secret: string, received: Received): boolean {
  const timestamp = String(received.headers['x-hxe-timestamp']);
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${received.body}`).digest('hex')}`;
  const given = String(received.headers['x-hxe-signature']);
  return given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

const FAST_RETRY = { attempts: 5, initial: '10ms', max: '50ms' };

describe('webhook delivery (real HTTP receiver)', () => {
  it('POSTs the documented JSON body with a signature the receiver can verify', async () => {
    const receiver = await startReceiver(() => 204);
    const config = alertsConfig({ group_wait: '0s', webhook: { url: receiver.url, secret: 'topsecret' } });
    const notifier = createWebhookNotifier({ url: receiver.url, secret: 'topsecret', timeoutMs: 5_000, headers: { Authorization: 'Bearer abc', 'Content-Type': 'text/plain' } });
    const engine = createAlertEngine(config, { notifiers: [notifier], agent: 'host-1', now: () => Date.parse('2025-01-01T00:00:00Z') });
    engine.observeStatus('web-1', { state: 'crashloop', restarts: 5, message: 'crashloop: 5 restarts in 2m; next try in 5m (exited with code 1)' });
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(1);
    const [request] = receiver.received;
    expect(request.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer abc', 'x-hxe-delivery': expect.any(String) });
    expect(request.headers['x-hxe-timestamp']).toMatch(/^\d+$/);
    expect(request.headers['x-hxe-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verify('topsecret', request)).toBe(true);
    expect(verify('wrong', request)).toBe(false);
    expect(JSON.parse(request.body)).toEqual({
      version: 1,
      status: 'firing',
      agent: 'host-1',
      alerts: [{
        key: 'crashloop/web-1', rule: 'crashloop', type: 'crashloop', severity: 'critical', instance: 'web-1', state: 'firing',
        startsAt: '2025-01-01T00:00:00.000Z', summary: 'crashloop: 5 restarts in 2m; next try in 5m (exited with code 1)',
      }],
      summary: 'FIRING: crashloop web-1\n\n[FIRING] critical crashloop web-1: crashloop: 5 restarts in 2m; next try in 5m (exited with code 1) (since 2025-01-01T00:00:00.000Z)',
    });
    await engine.stop();
  });

  it('sends no signature without a secret', async () => {
    const receiver = await startReceiver(() => 200);
    await createWebhookNotifier({ url: receiver.url, secret: null, timeoutMs: 5_000 }).send({
      id: 'n-1', version: 1, status: 'resolved', agent: 'a', alerts: [], title: 't', summary: 's',
    });
    expect(receiver.received[0].headers['x-hxe-signature']).toBeUndefined();
    expect(receiver.received[0].headers['x-hxe-delivery']).toBe('n-1');
  });

  it('rejects on a network error, naming the host but not the URL (it may hold a token)', async () => {
    const receiver = await startReceiver(() => 200);
    const server = servers.pop();
    await new Promise((resolve) => server?.close(resolve));
    const url = receiver.url.replace('/hooks/hxe', '/hooks/T0KEN');
    const send = createWebhookNotifier({ url, secret: null, timeoutMs: 5_000 }).send({ id: 'n', version: 1, status: 'firing', agent: 'a', alerts: [], title: 't', summary: 's' });
    await expect(send).rejects.toThrow(`webhook ${new URL(url).host}: fetch failed`);
    await expect(send).rejects.not.toThrow(/T0KEN/);
  });

  it('delivers after retries when the receiver answers 500 twice, then 200', async () => {
    const receiver = await startReceiver((n) => (n <= 2 ? 500 : 200));
    const warnings: object[] = [];
    const config = alertsConfig({ group_wait: '0s', retry: FAST_RETRY });
    const notifier = createWebhookNotifier({ url: receiver.url, secret: 'k', timeoutMs: 5_000 });
    const engine = createAlertEngine(config, { notifiers: [notifier], logger: { warn: (o) => void warnings.push(o), info: () => undefined } });
    engine.observeStatus('db', { state: 'failed', restarts: 0, message: 'exited with code 1 (restart_policy never)' });
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(3);
    await engine.stop();
    const ids = new Set(receiver.received.map((r) => r.headers['x-hxe-delivery']));
    expect(ids.size).toBe(1);
    // Every attempt is signed afresh (its own timestamp), and verifies.
    expect(receiver.received.every((r) => verify('k', r))).toBe(true);
    expect(warnings).toEqual([
      expect.objectContaining({ notifier: 'webhook', attempt: 1, err: 'webhook 127.0.0.1:' + new URL(receiver.url).port + ': HTTP 500' }),
      expect.objectContaining({ notifier: 'webhook', attempt: 2 }),
    ]);
  });

  it('never blocks the agent on a receiver that does not answer; stop() is bounded', async () => {
    const receiver = await startReceiver(() => null);
    const config = alertsConfig({ group_wait: '0s', retry: FAST_RETRY });
    // The webhook's own timeout is longer than the test's: only stop()'s bound can end the wait.
    const notifier = createWebhookNotifier({ url: receiver.url, secret: null, timeoutMs: 120_000 });
    const engine = createAlertEngine(config, { notifiers: [notifier], stopTimeoutMs: 200 });
    for (let i = 0; i < 50; i++) engine.observeStatus(`web-${i}`, { state: 'failed', restarts: 0, message: '' });
    engine.storeError('disk full');
    engine.tick();
    // Everything above returned while the receiver still holds the first request.
    expect(engine.active()).toHaveLength(51);
    await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(1);
    await engine.stop();
  });
});
