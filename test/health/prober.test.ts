/**
 * The real prober against real HTTP and TCP servers and real commands.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProbeContext } from '../../src/core/ports.js';
import type { HealthCheckSpec } from '../../src/core/types.js';
import { createProber } from '../../src/health/prober.js';
import { createProcessRuntime } from '../../src/runtime/process-runtime.js';
import { fixtureCommand, freePort, isPidAlive, tmpHome, trackPids, waitFor, type PidTracker } from '../helpers/processes.js';
import { serviceSpec } from '../runtime/request.js';

const prober = createProber();
const context: ProbeContext = { cwd: null, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } };

function check(overrides: Partial<HealthCheckSpec>): HealthCheckSpec {
  return {
    type: 'http', url: null, host: null, port: null, command: null,
    interval: 10_000, timeout: 2_000, retries: 3, start_period: 0,
    ...overrides,
  };
}

let tracker: PidTracker;
const closers: (() => Promise<void>)[] = [];
beforeEach(() => {
  tracker = trackPids();
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await tracker.assertNoLeftovers();
});

/** An HTTP server on 127.0.0.1 answering every request with `status` (never, with null). */
async function httpServer(status: number | null): Promise<string> {
  const server: Server = createHttpServer((_req, res) => {
    if (status === null) return; // hang
    res.writeHead(status, status === 302 ? { location: 'http://127.0.0.1:1/elsewhere' } : {});
    res.end('body');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return `http://127.0.0.1:${address.port}/health`;
}

function expectShape(result: { at: string; latencyMs: number }): void {
  expect(Number.isNaN(Date.parse(result.at))).toBe(false);
  expect(result.latencyMs).toBeGreaterThanOrEqual(0);
}

describe('http', () => {
  it.each([200, 204, 302])('passes on HTTP %i (redirects are not followed)', async (status) => {
    const result = await prober.probe(check({ url: await httpServer(status) }), context);
    expect(result).toMatchObject({ ok: true, message: `HTTP ${status}` });
    expectShape(result);
  });

  it('fails on HTTP 503', async () => {
    const result = await prober.probe(check({ url: await httpServer(503) }), context);
    expect(result).toMatchObject({ ok: false, message: 'HTTP 503' });
  });

  it('fails on a timeout', async () => {
    const result = await prober.probe(check({ url: await httpServer(null), timeout: 300 }), context);
    expect(result).toMatchObject({ ok: false, message: 'timeout after 300ms' });
  });

  it('fails on a refused connection, saying where', async () => {
    const port = await freePort();
    const result = await prober.probe(check({ url: `http://127.0.0.1:${port}/health` }), context);
    expect(result).toMatchObject({ ok: false, message: `connect ECONNREFUSED 127.0.0.1:${port}` });
  });

  it('fails on a bad URL or a missing one', async () => {
    expect(await prober.probe(check({ url: 'not a url' }), context)).toMatchObject({ ok: false });
    expect(await prober.probe(check({ url: null }), context)).toMatchObject({ ok: false, message: 'health_check.url is missing' });
  });
});

describe('tcp', () => {
  it('passes when the port accepts a connection', async () => {
    const server = createTcpServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const port = (server.address() as { port: number }).port;
    const result = await prober.probe(check({ type: 'tcp', port }), context);
    expect(result).toMatchObject({ ok: true, message: `connected to 127.0.0.1:${port}` });
    expectShape(result);
  });

  it('fails when nothing listens', async () => {
    const port = await freePort();
    const result = await prober.probe(check({ type: 'tcp', host: '127.0.0.1', port }), context);
    expect(result).toMatchObject({ ok: false, message: `connect ECONNREFUSED 127.0.0.1:${port}` });
  });

  it('fails on a bad port instead of throwing', async () => {
    expect(await prober.probe(check({ type: 'tcp', port: 70_000 }), context)).toMatchObject({ ok: false });
  });
});

describe('exec', () => {
  it('passes on exit 0, in the context cwd and env', async () => {
    const dir = tmpHome();
    const command = `/bin/sh -c 'test "$PWD" = "${dir}" && test "$TOKEN" = yes'`;
    const result = await prober.probe(check({ type: 'exec', command }), { cwd: dir, env: { ...context.env, TOKEN: 'yes' } });
    expect(result).toMatchObject({ ok: true, message: 'exit 0' });
    expectShape(result);
  });

  it('fails with the exit code and the first line of stderr', async () => {
    const command = `/bin/sh -c 'echo; echo "db down" >&2; echo more >&2; exit 3'`;
    const result = await prober.probe(check({ type: 'exec', command }), context);
    expect(result).toMatchObject({ ok: false, message: 'exit 3: db down' });
  });

  it('fails on a missing command', async () => {
    const result = await prober.probe(check({ type: 'exec', command: 'no-such-probe-hxe' }), context);
    expect(result).toMatchObject({ ok: false, message: 'command not found: no-such-probe-hxe' });
  });

  it('times out and kills the probe with everything it started', async () => {
    const pids = join(tmpHome(), 'pids');
    const command = `/bin/sh -c 'echo $$ > ${pids}; sleep 30 & echo $! >> ${pids}; wait'`;
    const result = await prober.probe(check({ type: 'exec', command, timeout: 500 }), context);
    expect(result).toMatchObject({ ok: false, message: 'timeout after 500ms' });
    const [shell, sleep] = readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    tracker.add(shell);
    await waitFor(() => !isPidAlive(shell) && !isPidAlive(sleep), { what: 'the probe and its sleep to be killed' });
  });
});

describe('against the ready-after fixture', () => {
  /** Starts ready-after in http and tcp mode, ready after `ms`; returns both ports. */
  async function startReadyAfter(ms: number): Promise<{ httpPort: number; tcpPort: number }> {
    const runtime = createProcessRuntime({ logDir: tmpHome() });
    closers.push(async () => runtime.close());
    const ports = { httpPort: await freePort(), tcpPort: await freePort() };
    for (const [mode, port] of [['http', ports.httpPort], ['tcp', ports.tcpPort]] as const) {
      const spec = serviceSpec({ command: fixtureCommand('ready-after.mjs', `--${mode}`, String(port), String(ms)) });
      const { pid } = await runtime.spawn({ instance: `ready-${mode}`, service: 'ready', index: 0, spec });
      tracker.add(pid);
      closers.push(() => runtime.stop(pid, 'SIGTERM', 5000));
    }
    return ports;
  }

  it('fails before it is ready: HTTP 503, tcp refused', async () => {
    const { httpPort, tcpPort } = await startReadyAfter(60_000);
    const httpCheck = check({ url: `http://127.0.0.1:${httpPort}/health`, timeout: 1000 });
    const http = await waitFor(async () => {
      const result = await prober.probe(httpCheck, context);
      return result.message.startsWith('HTTP') && result; // listening yet?
    }, { what: 'ready-after to listen' });
    expect(http).toMatchObject({ ok: false, message: 'HTTP 503' });
    const tcp = await prober.probe(check({ type: 'tcp', port: tcpPort, timeout: 1000 }), context);
    expect(tcp).toMatchObject({ ok: false, message: `connect ECONNREFUSED 127.0.0.1:${tcpPort}` });
  });

  it('passes once it is ready', async () => {
    const { httpPort, tcpPort } = await startReadyAfter(300);
    const httpCheck = check({ url: `http://127.0.0.1:${httpPort}/health`, timeout: 1000 });
    const tcpCheck = check({ type: 'tcp', port: tcpPort, timeout: 1000 });
    await waitFor(async () => (await prober.probe(httpCheck, context)).ok, { what: 'http to pass' });
    await waitFor(async () => (await prober.probe(tcpCheck, context)).ok, { what: 'tcp to pass' });
  });
});
