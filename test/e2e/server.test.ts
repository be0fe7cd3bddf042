import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../src/api/protocol.js';
import { createTestHome, type TestHome } from '../helpers/hxe.js';

let t: TestHome;
beforeEach(async () => { t = await createTestHome(); });
afterEach(async () => { await t.cleanup(); });

const TOKEN = 'test-token-0123456789';

async function startWithConfig(server: string, agent = '', env: NodeJS.ProcessEnv = {}): Promise<string> {
  const file = await t.write('config/agent.hcl', `${agent}\nserver {\n  host = "127.0.0.1"\n  port = 0\n${server}\n}\n`);
  const started = await t.run(['agent', 'start', '--config', path.dirname(file)], { env });
  expect(started.code, started.stderr).toBe(0);
  const status = JSON.parse((await t.run(['agent', 'status', '-o', 'json'])).stdout) as AgentStatus;
  expect(status.server).toMatch(/^https?:\/\/127\.0\.0\.1:\d+$/);
  return status.server!;
}

const call = (url: string, token?: string, init: RequestInit = {}) =>
  fetch(url, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers ?? {}) } });

describe('the TCP API', () => {
  it('answers 401 without a valid token, except health; the CLI talks to it with --server and --token', async () => {
    const url = await startWithConfig(`  auth {\n    type = "token"\n    token = "env:HXE_TEST_TOKEN"\n  }\n  cors {\n    enabled = true\n    allowed_origins = ["https://ops.example.com"]\n  }`,
      '', { HXE_TEST_TOKEN: TOKEN });
    expect((await call(`${url}/v1/health`)).status).toBe(200);
    const cors = await call(`${url}/v1/services`, TOKEN, { headers: { origin: 'https://ops.example.com' } });
    expect(cors.headers.get('access-control-allow-origin')).toBe('https://ops.example.com');
    const foreign = await call(`${url}/v1/services`, TOKEN, { headers: { origin: 'https://evil.example.com' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect((await call(`${url}/v1/services`)).status).toBe(401);
    expect((await call(`${url}/v1/services`, 'wrong')).status).toBe(401);
    expect((await call(`${url}/v1/agent/stop`, undefined, { method: 'POST' })).status).toBe(401);
    expect((await call(`${url}/v1/services`, TOKEN)).status).toBe(200);

    const file = await t.write('s.hcl', 'service "remote" {\n  command = "sleep 1000"\n}\n');
    const applied = await t.run(['apply', '-f', file, '--server', url, '--token', TOKEN]);
    expect(applied.code, applied.stderr).toBe(0);
    const listed = await t.run(['get', '-o', 'json'], { env: { HXE_SERVER: url, HXE_TOKEN: TOKEN } });
    expect(JSON.parse(listed.stdout).map((v: { name: string }) => v.name)).toEqual(['remote']);
    const refused = await t.run(['get', '--server', url, '--token', 'nope']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/bearer token/);
  });

  it('checks JWTs for signature and expiry', async () => {
    const secret = 'jwt-secret-for-tests-0123456789abcdef';
    const url = await startWithConfig(`  auth {\n    type = "jwt"\n    secret = "${secret}"\n  }`);
    const sign = (key: string, expires: string | number) =>
      new SignJWT({ sub: 'ops' }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime(expires).sign(new TextEncoder().encode(key));
    expect((await call(`${url}/v1/services`, await sign(secret, '5m'))).status).toBe(200);
    expect((await call(`${url}/v1/services`, await sign(secret, Math.floor(Date.now() / 1000) - 60))).status).toBe(401);
    expect((await call(`${url}/v1/services`, await sign('another-secret-0123456789abcdefgh', '5m'))).status).toBe(401);
  });

  it('serves TLS and a rate limit as configured', async () => {
    const key = path.join(t.dir, 'key.pem');
    const cert = path.join(t.dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const url = await startWithConfig([
      `  tls {\n    enabled = true\n    cert_file = "${cert}"\n    key_file = "${key}"\n  }`,
      `  auth {\n    token = "${TOKEN}"\n  }`,
      '  rate_limit {\n    requests = 5\n    window = "1m"\n  }',
    ].join('\n'));
    expect(url).toMatch(/^https:/);
    const listed = await t.run(['get', '--server', url, '--token', TOKEN], { env: { NODE_EXTRA_CA_CERTS: cert } });
    expect(listed.code, listed.stderr).toBe(0);
    const preflight = await t.run(['agent', 'status'], { env: { NODE_EXTRA_CA_CERTS: cert } });
    expect(preflight.code).toBe(0);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const result = await t.run(['get', '-o', 'json', '--server', url, '--token', TOKEN], { env: { NODE_EXTRA_CA_CERTS: cert } });
      statuses.push(result.code);
      if (result.code !== 0) expect(result.stderr).toMatch(/rate/i);
    }
    expect(statuses).toContain(1);
  });

  it('refuses an invalid configuration with the file, line and field, exit 2', async () => {
    const file = await t.write('bad/agent.hcl', 'agent {\n  metrics {\n    interval = "often"\n  }\n}\nserver {\n  port = 70000\n  auth {\n    type = "basic"\n  }\n}\n');
    const result = await t.run(['agent', 'start', '--config', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/agent\.hcl:3: agent\.metrics\.interval: expected a duration/);
    expect(result.stderr).toMatch(/agent\.hcl:7: server\.port: expected at most 65535/);
    expect(result.stderr).toMatch(/server\.auth\.type: expected one of token, jwt, got "basic"/);
  });
});

describe('hxe agent install', () => {
  it('prints and writes a systemd unit that runs this hxe and leaves services to the next agent', async () => {
    const printed = await t.run(['agent', 'install', '--print']);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toMatch(/^ExecStart=\/\S+\/node --max-semi-space-size=1 --single-threaded \/\S+\/dist\/agent\.js --config \/etc\/hxe\/$/m);
    expect(printed.stdout).toMatch(/^KillMode=process$/m);
    const unitDir = path.join(t.dir, 'units');
    const written = await t.run(['agent', 'install', '--unit-dir', unitDir]);
    expect(written.code).toBe(0);
    expect(written.stdout).toContain(path.join(unitDir, 'hxe-agent.service'));
  });
});
