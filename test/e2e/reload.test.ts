/**
 * Hot reload of the agent's configuration, end to end: each live field is
 * changed in the --config file and its effect observed without a new agent
 * pid; a broken edit is refused and the running configuration stays; a
 * listen address change waits for a restart, as `agent status` says.
 */
import { promises as fs } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../src/api/protocol.js';
import type { HxeEvent } from '../../src/core/types.js';
import { createTestHome, type TestHome } from '../helpers/hxe.js';
import { fixtureCommand, waitFor } from '../helpers/processes.js';

let t: TestHome;
const closers: (() => void)[] = [];
beforeEach(async () => { t = await createTestHome(); });
afterEach(async () => {
  await t.cleanup();
  closers.splice(0).forEach((close) => close());
});

async function receiver(): Promise<{ port: number; bodies: { alerts: { type: string; instance: string }[] }[] }> {
  const bodies: { alerts: { type: string; instance: string }[] }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => { bodies.push(JSON.parse(body)); res.writeHead(200).end(); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => server.close());
  return { port: (server.address() as { port: number }).port, bodies };
}

const serverBlock = (token: string, burst: number, origin: string, port = 0) => `server {
  host = "127.0.0.1"
  port = ${port}
  auth {
    token = "${token}"
  }
  rate_limit {
    requests_per_minute = 1
    burst_size          = ${burst}
  }
  cors {
    allowed_origins = ["${origin}"]
  }
}
`;

async function eventOf(type: string, after: number): Promise<HxeEvent> {
  return waitFor(async () => (await t.api.events(undefined, 200)).filter((e) => e.type === type)[after], { what: `event ${type} #${after + 1}` });
}

describe('configuration hot reload', () => {
  it('applies live fields without a restart, refuses a broken edit, and says what needs a restart', async () => {
    const hook = await receiver();
    const synced = path.join(t.dir, 'synced');
    await fs.mkdir(synced);
    await fs.writeFile(path.join(synced, 'svc.hcl'), `service "from-sync" {\n  command = "${fixtureCommand('forever.mjs')}"\n}\n`);
    const file = await t.write('conf/agent.hcl', `agent {\n  log_level = "info"\n  metrics {\n    interval = "10s"\n  }\n}\n${serverBlock('token-a', 1000, 'https://a.example')}`);
    expect((await t.run(['agent', 'start', '--config', path.dirname(file)])).code).toBe(0);
    const before = JSON.parse((await t.run(['agent', 'status', '-o', 'json'])).stdout) as AgentStatus;
    const url = before.server!;
    expect((await fetch(`${url}/v1/agent`, { headers: { authorization: 'Bearer token-a' } })).status).toBe(200);

    await fs.writeFile(file, `agent {
  log_level = "debug"
  metrics {
    interval = "300ms"
  }
  alerts {
    group_wait = "0s"
    webhook {
      url = "http://127.0.0.1:${hook.port}/hook"
    }
    rule "disk" {
      type  = "host_disk"
      above = 1
      for   = "0s"
    }
  }
}
${serverBlock('token-b', 3, 'https://b.example')}
sync {
  path = "${synced}"
}
`);
    const reloaded = await eventOf('ConfigReloaded', 0);
    expect(reloaded.message).toMatch(/applied agent\.alerts, agent\.log_level, agent\.metrics\.interval, server\.auth, server\.cors\.allowed_origins, server\.rate_limit, syncs/);

    // auth: the old token is refused, the new one accepted; CORS: the new origin; rate limit: a burst of 3.
    expect((await fetch(`${url}/v1/agent`, { headers: { authorization: 'Bearer token-a' } })).status).toBe(401);
    const allowed = await fetch(`${url}/v1/agent`, { headers: { authorization: 'Bearer token-b', origin: 'https://b.example' } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://b.example');
    const old = await fetch(`${url}/v1/agent`, { headers: { authorization: 'Bearer token-b', origin: 'https://a.example' } });
    expect(old.headers.get('access-control-allow-origin')).toBeNull();
    expect((await fetch(`${url}/v1/agent`, { headers: { authorization: 'Bearer token-b' } })).status).toBe(429);
    // metrics interval, sync directories, alert rules and receivers, log level.
    expect((await t.api.request<{ interval: number }>('GET', '/v1/metrics/samples')).interval).toBe(300);
    await waitFor(async () => (await t.api.list()).some((v) => v.name === 'from-sync') || undefined, { what: 'the synced service' });
    await waitFor(() => hook.bodies.some((b) => b.alerts.some((a) => a.type === 'host_disk')) || undefined, { what: 'a host_disk alert by the new receiver' });
    await waitFor(async () => (await fs.readFile(path.join(t.home, 'agent.log'), 'utf8')).includes('"msg":"reconciled"') || undefined, { what: 'a debug line in agent.log' });

    // A broken edit: refused with file:line, in events and status; the running configuration stays.
    const good = await fs.readFile(file, 'utf8');
    await fs.writeFile(file, good.replace('log_level = "debug"', 'log_level = "loud"'));
    const rejected = await eventOf('ConfigRejected', 0);
    expect(rejected.message).toMatch(/agent\.hcl:2: agent\.log_level: /);
    const status = (await t.run(['agent', 'status'])).stdout;
    expect(status).toMatch(/last reload refused .*the running configuration stays:\n.*agent\.hcl:2: agent\.log_level/);
    expect((await t.api.request<{ interval: number }>('GET', '/v1/metrics/samples')).interval).toBe(300);

    // A listen address: taken at the next start only.
    await fs.writeFile(file, good.replace(serverBlock('token-b', 3, 'https://b.example'), serverBlock('token-b', 3, 'https://b.example', 1)));
    await eventOf('ConfigReloaded', 1);
    const reload = await t.run(['agent', 'reload']);
    expect(reload.code).toBe(0);
    expect(reload.stdout).toMatch(/needs a restart .*: server\.port/);
    const after = JSON.parse((await t.run(['agent', 'status', '-o', 'json'])).stdout) as AgentStatus;
    expect(after.config).toMatchObject({ lastError: null, restartNeeded: ['server.port'] });
    expect(after.pid).toBe(before.pid);
    expect(after.server).toBe(url);
  }, 90_000);
});

describe('SIGHUP', () => {
  it('reloads the TLS certificate files in place (a renewal) for new connections', async () => {
    const { execFileSync } = await import('node:child_process');
    const https = await import('node:https');
    const tls = path.join(t.dir, 'tls');
    await fs.mkdir(tls);
    const key = path.join(tls, 'key.pem');
    const cert = path.join(tls, 'cert.pem');
    const makeCert = (cn: string) => execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
      '-subj', `/CN=${cn}`, '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    makeCert('first');
    const file = await t.write('conf/server.hcl', `server {\n  host = "127.0.0.1"\n  port = 0\n  tls {\n    enabled   = true\n    cert_file = "${cert}"\n    key_file  = "${key}"\n  }\n  auth {\n    token = "t"\n  }\n}\n`);
    expect((await t.run(['agent', 'start', '--config', file])).code).toBe(0);
    const status = JSON.parse((await t.run(['agent', 'status', '-o', 'json'])).stdout) as AgentStatus;
    const servedName = () => new Promise<string>((resolve, reject) => {
      const request = https.get(`${status.server}/v1/health`, { rejectUnauthorized: false, agent: false }, (res) => {
        const peer = (res.socket as import('node:tls').TLSSocket).getPeerCertificate();
        res.resume();
        resolve(String(peer.subject.CN));
      });
      request.on('error', reject);
    });
    expect(await servedName()).toBe('first');
    makeCert('renewed');
    process.kill(status.pid, 'SIGHUP');
    expect((await eventOf('ConfigReloaded', 0)).message).toMatch(/\(SIGHUP\)/);
    expect(await servedName()).toBe('renewed');
    expect((JSON.parse((await t.run(['agent', 'status', '-o', 'json'])).stdout) as AgentStatus).pid).toBe(status.pid);
  }, 60_000);
});
