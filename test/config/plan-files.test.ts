import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManifestError } from '../../src/core/errors.js';
import { loadAgentConfig } from '../../src/config/load-config.js';

const PLAN = path.resolve('test/fixtures/config/plan');
const ENV = { SMTP_PASSWORD: 'smtp-pass', JWT_SECRET: 'jwt-secret' };

let dir: string;
beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hxe-plan-')); });
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

async function errorsOf(text: string): Promise<string[]> {
  const file = path.join(dir, 'c.hcl');
  await fs.writeFile(file, text);
  const error = await loadAgentConfig([file], ENV).then(() => null, (err: unknown) => err);
  expect(error).toBeInstanceOf(ManifestError);
  return (error as ManifestError).issues.map((issue) => `${issue.line}: ${issue.path}: ${issue.message}`);
}

describe("the plan's agent.hcl and server.hcl, as written", () => {
  it('load, every field decoded as its name says', async () => {
    const loaded = await loadAgentConfig([path.join(PLAN, 'agent.hcl'), path.join(PLAN, 'server.hcl')], ENV);
    expect(loaded.agent).toMatchObject({ name: 'hxe-agent-01', data_dir: '/var/lib/hxe', log_level: 'info' });
    expect(loaded.agent.nats).toMatchObject({ servers: ['nats://localhost:4222'], cluster_name: 'hxe-cluster' });
    expect(loaded.agent.metrics.prometheus_endpoint).toBe(':9090');
    expect(loaded.agent.alerts.webhook_url).toBe('https://hooks.slack.com/services/xxx');
    expect(loaded.agent.alerts.email).toMatchObject({
      smtp_host: 'smtp.gmail.com', smtp_port: 587, secure: false, username: 'alerts@company.com', password: 'smtp-pass',
      from: 'alerts@company.com', to: ['alerts@company.com'],
    });
    expect(loaded.server).toEqual({
      host: '0.0.0.0', port: 8080,
      tls: { enabled: true, cert_file: '/etc/hxe/tls/cert.pem', key_file: '/etc/hxe/tls/key.pem' },
      auth: { type: 'jwt', secret: 'jwt-secret', token_expiry: 86_400_000 },
      cors: { enabled: true, allowed_origins: ['https://dashboard.company.com'], allowed_methods: ['GET', 'POST', 'PUT', 'DELETE'] },
      rate_limit: { enabled: true, requests_per_minute: 100, burst_size: 20 },
    });
  });

  it('report their unset secrets together, with file and line', async () => {
    const error = await loadAgentConfig([PLAN], {}).catch((err: unknown) => err);
    expect((error as ManifestError).message.split('\n')).toEqual([
      `${PLAN}/agent.hcl:21: agent.alerts.email.password: environment variable SMTP_PASSWORD is not set`,
      `${PLAN}/server.hcl:13: server.auth.secret: environment variable JWT_SECRET is not set`,
    ]);
  });
});

describe('errors of each field, all at once', () => {
  it('agent block: name, data_dir, nats, metrics, alerts', async () => {
    expect(await errorsOf(`agent {
  nmae     = "x"
  data_dir = "~/hxe"
  nats {
    servers      = ["http://localhost:4222"]
    cluster_name = "bad name"
  }
  metrics {
    prometheus_endpoint = "metrics"
  }
  alerts {
    webhook_url = "ftp://hooks"
    email {
      smtp_server = "smtp.gmail.com"
      username    = "alerts@company.com"
    }
  }
}
`)).toEqual([
      '2: agent.nmae: unknown field, did you mean "name"?',
      '3: agent.data_dir: "~" is not expanded, write an absolute or relative path, got "~/hxe"',
      '5: agent.nats.servers.0: expected a URL such as "nats://10.0.0.1:4222", got "http://localhost:4222"',
      '6: agent.nats.cluster_name: expected a name of letters, digits, "-" and "_" (at most 63): it names the fleet\'s KV buckets',
      '9: agent.metrics.prometheus_endpoint: expected a path such as "/metrics", an address such as ":9090", or "", got "metrics"',
      '12: agent.alerts.webhook_url: expected an http:// or https:// URL, got "ftp://hooks"',
      '13: agent.alerts.email.password: username and password go together: give both or neither',
      '14: agent.alerts.email.smtp_server: expected "host:port" such as "smtp.example.com:587", got "smtp.gmail.com"',
    ]);
  });

  it('email: a server is needed, and from/to when there is no username', async () => {
    expect(await errorsOf('agent {\n  alerts {\n    email {\n      smtp_host = "h"\n      smtp_server = "h:25"\n    }\n  }\n}\n')).toEqual([
      '5: agent.alerts.email.smtp_server: give smtp_server, or smtp_host and smtp_port, not both',
      '3: agent.alerts.email.from: missing, expected an address (or a username to send as)',
      '3: agent.alerts.email.to: missing, expected a list of addresses (or a username to send to)',
    ].sort((a, b) => parseInt(a) - parseInt(b)));
  });

  it('server block: listen, tls, auth, cors, rate_limit', async () => {
    expect(await errorsOf(`server {
  listen = "nowhere"
  tls {
    enabled = true
  }
  auth {
    type         = "jwt"
    token_expiry = "soon"
  }
  cors {
    allowed_origins = ["https://a.example"]
    allowed_methods = ["GET", "FETCH"]
  }
  rate_limit {
    requests_per_minute = 0
    burst = 20
  }
}
`)).toEqual([
      '2: server.listen: expected an address such as ":9090" or "127.0.0.1:9090", got "nowhere"',
      '3: server.tls: enabled TLS needs cert_file and key_file',
      '6: server.auth.secret: missing, expected the JWT signing secret (e.g. "env:JWT_SECRET")',
      '8: server.auth.token_expiry: expected a duration such as "500ms", "10s", "5m" or "1h30m", got "soon"',
      '12: server.cors.allowed_methods.1: expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, got "FETCH"',
      '15: server.rate_limit.requests_per_minute: expected at least 1, got 0',
      '16: server.rate_limit.burst: unknown field, did you mean "burst_size"?',
    ]);
  });

  it('refuses two forms of one setting', async () => {
    expect(await errorsOf('server {\n  listen = ":8080"\n  port = 8081\n  auth {\n    token = "t"\n  }\n  rate_limit {\n    requests = 10\n    burst_size = 5\n  }\n}\n')).toEqual([
      '2: server.listen: give listen, or host and port, not both',
      '8: server.rate_limit.requests: give requests_per_minute and burst_size, or requests and window, not both',
    ]);
  });

  it('turns the older rate limit form into a bucket, and CORS off unless the block is there', async () => {
    const file = path.join(dir, 's.hcl');
    await fs.writeFile(file, 'server {\n  listen = "127.0.0.1:8080"\n  auth {\n    token = "t"\n  }\n  rate_limit {\n    requests = 30\n    window = "30s"\n  }\n}\n');
    const { server } = await loadAgentConfig([file], {});
    expect(server).toMatchObject({ host: '127.0.0.1', port: 8080, cors: { enabled: false }, rate_limit: { requests_per_minute: 60, burst_size: 30 } });
  });
});
