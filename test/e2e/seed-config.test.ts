/**
 * The HXE plan's agent.hcl and server.hcl, as written (only paths, ports
 * and secrets changed to run here), drive one agent: metrics on their own
 * address, alerts by webhook and by mail, JWTs from `hxe token create` over
 * TLS with roles, CORS as listed, the rate limit, the audit trail and
 * data_dir as the home.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestHome, REPO, type TestHome } from '../helpers/hxe.js';
import { freePort, waitFor } from '../helpers/processes.js';

const PLAN = path.join(REPO, 'test/fixtures/config/plan');
const SMTP_PASSWORD = 'smtp-pass-0123456789';
const JWT_SECRET = 'jwt-secret-for-tests-0123456789abcdef';

let t: TestHome;
const closers: (() => Promise<void>)[] = [];
beforeEach(async () => { t = await createTestHome(); });
afterEach(async () => {
  await t.cleanup();
  for (const close of closers.splice(0)) await close();
});

function hasPromtool(): boolean {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A self-signed certificate for 127.0.0.1 (the API's TLS and the SMTP server's STARTTLS). */
function makeCert(dir: string): { key: string; cert: string } {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { key, cert };
}

interface Mail { to: string[]; user: unknown; secure: boolean; raw: string }

/** An SMTP server offering STARTTLS and requiring the plan's login. */
async function startSmtp(tls: { key: string; cert: string }): Promise<{ port: number; mails: Mail[] }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    secure: false,
    key: await fs.readFile(tls.key),
    cert: await fs.readFile(tls.cert),
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'alerts@company.com' && auth.password === SMTP_PASSWORD) callback(null, { user: auth.username });
      else callback(new Error('invalid credentials'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), user: session.user, secure: session.secure, raw: Buffer.concat(chunks).toString() });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { port: (server.server.address() as AddressInfo).port, mails };
}

async function startHook(): Promise<{ port: number; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString()));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port, bodies };
}

/** One HTTPS request trusting `ca`: status and headers. */
function tlsRequest(url: string, ca: Buffer, init: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const request = https.request(url, { method: init.method ?? 'GET', headers: init.headers, ca }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe("the plan's agent.hcl and server.hcl, as written", () => {
  it('run an agent whose every field does what its name says', async () => {
    const tls = makeCert(t.dir);
    const smtp = await startSmtp(tls);
    const hook = await startHook();
    const [metricsPort, apiPort] = [await freePort(), await freePort()];
    const agentText = (await fs.readFile(path.join(PLAN, 'agent.hcl'), 'utf8'))
      .replace('"/var/lib/hxe"', JSON.stringify(t.home))
      .replace('":9090"', `"127.0.0.1:${metricsPort}"`)
      .replace('https://hooks.slack.com/services/xxx', `http://127.0.0.1:${hook.port}/hook`)
      .replace('smtp.gmail.com:587', `127.0.0.1:${smtp.port}`);
    const serverText = (await fs.readFile(path.join(PLAN, 'server.hcl'), 'utf8'))
      .replace('port = 8080', `port = ${apiPort}`)
      .replace('/etc/hxe/tls/cert.pem', tls.cert)
      .replace('/etc/hxe/tls/key.pem', tls.key);
    const agentFile = await t.write('etc/agent.hcl', agentText);
    const serverFile = await t.write('etc/server.hcl', serverText);
    // No HXE_HOME: data_dir is the home. NODE_EXTRA_CA_CERTS: the agent trusts the SMTP server's certificate, the CLI the API's.
    const fakeHome = path.join(t.dir, 'user');
    const env = { HXE_HOME: '', HOME: fakeHome, SMTP_PASSWORD, JWT_SECRET, NODE_EXTRA_CA_CERTS: tls.cert };
    const run = (args: string[]) => t.run(args, { env });

    expect((await run(['validate', '-f', agentFile, '-f', serverFile])).stdout).toMatch(/agent, server blocks in 2 files: valid/);
    const started = await run(['agent', 'start', '--config', agentFile, '--config', serverFile]);
    expect(started.code, started.stderr).toBe(0);
    await fs.access(path.join(t.home, 'agent.sock'));
    expect((await run(['agent', 'status'])).stdout).toMatch(new RegExp(`hxe-agent-01 running.*\\nAPI: https://0\\.0\\.0\\.0:${apiPort}`));

    // Metrics on their own address, without a token; the exposition passes promtool.
    const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scraped.status).toBe(200);
    const exposition = await scraped.text();
    expect(exposition).toMatch(/^# TYPE hxe_service_up gauge$/m);
    expect(exposition).not.toMatch(/nodejs_active_\w+_total/);
    if (hasPromtool()) execFileSync('promtool', ['check', 'metrics'], { input: exposition });
    else console.warn('promtool not installed (Debian package prometheus): exposition not checked by promtool');

    // JWTs from `token create`, used over TLS; a read token only reads.
    const url = `https://127.0.0.1:${apiPort}`;
    const admin = (await run(['token', 'create'])).stdout.trim();
    const read = (await run(['token', 'create', '--role', 'read', '--ttl', '10m'])).stdout.trim();
    expect(admin).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    const manifest = await t.write('crasher.hcl', 'service "crasher" {\n  command = "false"\n  backoff {\n    initial = "0s"\n  }\n  crashloop {\n    max_restarts = 2\n    window = "1m"\n  }\n}\n');
    const refused = await run(['apply', '-f', manifest, '--server', url, '--token', read]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/read token may only read/);
    const applied = await run(['apply', '-f', manifest, '--server', url, '--token', admin]);
    expect(applied.code, applied.stderr).toBe(0);
    expect((await run(['get', '--server', url, '--token', read])).stdout).toMatch(/crasher/);

    // The crash loop alerts by webhook and by mail (STARTTLS, the plan's login, to the username).
    await waitFor(() => hook.bodies.length > 0 && smtp.mails.length > 0, { what: 'webhook and mail', timeoutMs: 60_000 });
    expect(JSON.stringify(hook.bodies[0])).toMatch(/crashloop/);
    expect(smtp.mails[0]).toMatchObject({ to: ['alerts@company.com'], user: 'alerts@company.com', secure: true });
    expect(smtp.mails[0].raw).toMatch(/crasher/);

    // CORS: the listed origin gets the listed methods; another origin gets nothing.
    const ca = await fs.readFile(tls.cert);
    const preflight = (origin: string) => tlsRequest(`${url}/v1/syncs`, ca, {
      method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'DELETE' },
    });
    const allowed = await preflight('https://dashboard.company.com');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://dashboard.company.com');
    expect(allowed.headers['access-control-allow-methods']).toBe('GET, POST, PUT, DELETE');
    expect((await preflight('https://evil.example.com')).headers['access-control-allow-origin']).toBeUndefined();

    // The audit trail: who minted, who was refused, what changed; no secret in it.
    const audit = (await run(['events', '--audit', '-o', 'json'])).stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(audit.map((e) => `${e.action}:${e.outcome}:${e.who.role}`)).toEqual(expect.arrayContaining([
      'token:ok:admin', 'apply:denied:read', 'apply:ok:admin',
    ]));
    expect(audit.find((e) => e.action === 'apply' && e.outcome === 'ok').changes).toEqual([{ name: 'crasher', before: null, after: 1 }]);
    const raw = await fs.readFile(path.join(t.home, 'audit.log'), 'utf8');
    for (const secret of [SMTP_PASSWORD, JWT_SECRET, admin, read]) expect(raw).not.toContain(secret);
    expect((await fs.stat(path.join(t.home, 'audit.log'))).mode & 0o777).toBe(0o600);

    // The rate limit: a burst of 20, then 429 with Retry-After.
    let limited: http.IncomingHttpHeaders | null = null;
    let ok = 0;
    for (let i = 0; i < 40 && !limited; i++) {
      const response = await tlsRequest(`${url}/v1/services`, ca, { headers: { authorization: `Bearer ${read}` } });
      if (response.status === 429) limited = response.headers;
      else ok++;
    }
    expect(limited?.['retry-after']).toMatch(/^\d+$/);
    expect(ok).toBeGreaterThanOrEqual(10);
    expect(ok).toBeLessThan(30);
  }, 120_000);
});

describe('agent and server files: errors, tokens and the audit trail over the socket', () => {
  it('validate reports every error of agent and server blocks at once, with did you mean, exit 2', async () => {
    const file = await t.write('etc/agent.hcl', 'agent {\n  nmae = "x"\n  metrics {\n    prometheus_endpoint = "metrics"\n  }\n}\nserver {\n  auth {\n    type = "jwt"\n    token_expiry = "soon"\n  }\n  rate_limit {\n    burst = 5\n  }\n}\n');
    // Given relative to the working directory, the paths are shown as given.
    const result = await t.run(['validate', '-f', 'etc'], { cwd: t.dir });
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n').filter((line) => line.includes('agent.hcl:'))).toEqual([
      'etc/agent.hcl:2: agent.nmae: unknown field, did you mean "name"?',
      'etc/agent.hcl:4: agent.metrics.prometheus_endpoint: expected a path such as "/metrics", an address such as ":9090", or "", got "metrics"',
      'etc/agent.hcl:8: server.auth.secret: missing, expected the JWT signing secret (e.g. "env:JWT_SECRET")',
      'etc/agent.hcl:10: server.auth.token_expiry: expected a duration such as "500ms", "10s", "5m" or "1h30m", got "soon"',
      'etc/agent.hcl:13: server.rate_limit.burst: unknown field, did you mean "burst_size"?',
    ]);
    const started = await t.run(['agent', 'start', '--config', file]);
    expect(started.code).toBe(2);
    expect(started.stderr).toMatch(/agent\.nmae: unknown field[\s\S]*server\.rate_limit\.burst: unknown field/);
  });

  it('token create: only with jwt auth, only over the socket; audit records who changed what', async () => {
    const config = await t.write('etc/agent.hcl', `server {\n  port = 0\n  auth {\n    type = "jwt"\n    secret = "${JWT_SECRET}"\n    token_expiry = "2h"\n  }\n}\n`);
    expect((await t.run(['agent', 'start', '--config', config])).code).toBe(0);
    const minted = JSON.parse((await t.run(['token', 'create', '--role', 'read', '--subject', 'dashboard', '-o', 'json'])).stdout);
    expect(minted).toMatchObject({ subject: 'dashboard', role: 'read' });
    const lifetime = Date.parse(minted.expiresAt) - Date.now();
    expect(lifetime).toBeGreaterThan(2 * 3_600_000 - 60_000);
    expect(lifetime).toBeLessThanOrEqual(2 * 3_600_000);
    const badTtl = await t.run(['token', 'create', '--ttl', 'soon']);
    expect(badTtl.code).toBe(2);
    expect(badTtl.stderr).toMatch(/ttl: .*"soon"/);
    const remote = await t.run(['token', 'create', '--server', 'http://127.0.0.1:1']);
    expect(remote.code).toBe(2);
    expect(remote.stderr).toMatch(/local socket only/);

    const file = await t.write('s.hcl', 'service "web" {\n  command = "sleep 1000"\n}\n');
    expect((await t.run(['apply', '-f', file])).code).toBe(0);
    await t.write('s.hcl', 'service "web" {\n  command = "sleep 1001"\n}\n');
    expect((await t.run(['apply', '-f', file])).code).toBe(0);
    expect((await t.run(['restart', 'web'])).code).toBe(0);
    expect((await t.run(['delete', 'web'])).code).toBe(0);
    const audit = (await t.run(['events', '--audit', '-o', 'json'])).stdout.trim().split('\n').map((line) => JSON.parse(line));
    const summary = audit.map((e) => [e.action, e.outcome, e.who.via, e.who.role, JSON.stringify(e.changes ?? [])].join(' '));
    expect(summary).toEqual([
      'token ok socket admin []',
      'token error socket admin []',
      'apply ok socket admin [{"name":"web","before":null,"after":1}]',
      'apply ok socket admin [{"name":"web","before":1,"after":2}]',
      'restart ok socket admin []',
      'delete ok socket admin [{"name":"web","before":2,"after":null}]',
    ]);
    expect(audit[0].details).toMatchObject({ subject: 'dashboard', role: 'read', expires_at: minted.expiresAt });
    expect(JSON.stringify(audit)).not.toContain(minted.token);
    const text = (await t.run(['events', '--audit'])).stdout;
    expect(text).toMatch(/apply {2}ok {2}web {2}web 1→2/);
  });

  it('an agent whose metrics address is taken, or whose certificate is missing, refuses to start, saying which', async () => {
    const holder = http.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => holder.close(() => resolve())));
    const port = (holder.address() as AddressInfo).port;
    const taken = await t.write('etc/metrics.hcl', `agent {\n  metrics {\n    prometheus_endpoint = "127.0.0.1:${port}"\n  }\n}\n`);
    const refused = await t.run(['agent', 'start', '--config', taken]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`agent\\.metrics\\.prometheus_endpoint "127\\.0\\.0\\.1:${port}": cannot listen: .*EADDRINUSE`));
    const noCert = await t.write('etc/server.hcl', `server {\n  port = 0\n  tls {\n    enabled = true\n    cert_file = "${t.dir}/none.pem"\n    key_file = "${t.dir}/none.pem"\n  }\n  auth {\n    token = "t"\n  }\n}\n`);
    const missing = await t.run(['agent', 'start', '--config', noCert]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/server: ENOENT: .*none\.pem/);
    expect((await t.run(['agent', 'status'])).stdout).toMatch(/agent not running/);
  });

  it('without a server block, token create says what is missing', async () => {
    const result = await t.run(['token', 'create']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/auth \{ type = "jwt"/);
  });
});
