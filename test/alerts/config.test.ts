import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeAlertsConfig, type AlertsConfig } from '../../src/alerts/config.js';
import { loadAgentConfig } from '../../src/config/load-config.js';

let dir: string;
beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hxe-alerts-')); });
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

/** The `alerts` block of an agent config file, decoded by the agent's configuration loader. */
async function alertsBlock(name: string, text: string, env: NodeJS.ProcessEnv = {}): Promise<AlertsConfig> {
  const file = path.join(dir, name);
  await fs.writeFile(file, text);
  return (await loadAgentConfig([file], env)).agent.alerts;
}

function decoded(input: unknown): AlertsConfig {
  const result = decodeAlertsConfig(input);
  if ('issues' in result) throw new Error(JSON.stringify(result.issues));
  return result.config;
}

const DEFAULT_RULES = [
  { name: 'crashloop', type: 'crashloop', severity: 'critical', services: [], above: null, for: 0, within: 0 },
  { name: 'failed', type: 'failed', severity: 'critical', services: [], above: null, for: 0, within: 0 },
  { name: 'restarts', type: 'restarts', severity: 'warning', services: [], above: 5, for: 0, within: 300_000 },
  { name: 'unhealthy', type: 'unhealthy', severity: 'warning', services: [], above: null, for: 60_000, within: 0 },
  { name: 'store_error', type: 'store_error', severity: 'critical', services: [], above: null, for: 0, within: 0 },
];

const FULL_HCL = `
agent {
  alerts {
    enabled         = true
    group_wait      = "30s"
    repeat_interval = "1h"
    queue_size      = 50
    retry {
      attempts = 3
      initial  = "2s"
      max      = "30s"
    }
    webhook {
      url     = "https://hooks.example.com/hxe"
      secret  = "env:WEBHOOK_SECRET"
      timeout = "3s"
      headers = { Authorization = "Bearer abc" }
    }
    email {
      smtp_host = "smtp.example.com"
      smtp_port = 465
      username  = "alerts@example.com"
      password  = "env:SMTP_PASSWORD"
      from      = "hxe@example.com"
      to        = ["ops@example.com", "dev@example.com"]
    }
    rule "high-memory" {
      type     = "memory"
      above    = "900Mi"
      for      = "2m"
      severity = "critical"
      services = ["web-*"]
    }
    rule "busy" {
      type  = "cpu"
      above = "250%"
    }
    rule "restarts" {
      above  = 10
      within = "10m"
    }
    rule "unhealthy" {
      enabled = false
    }
  }
}
`;

const FULL_TOML = `
[agent.alerts]
enabled = true
group_wait = "30s"
repeat_interval = "1h"
queue_size = 50

[agent.alerts.retry]
attempts = 3
initial = "2s"
max = "30s"

[agent.alerts.webhook]
url = "https://hooks.example.com/hxe"
secret = "env:WEBHOOK_SECRET"
timeout = "3s"
headers = { Authorization = "Bearer abc" }

[agent.alerts.email]
smtp_host = "smtp.example.com"
smtp_port = 465
username = "alerts@example.com"
password = "env:SMTP_PASSWORD"
from = "hxe@example.com"
to = ["ops@example.com", "dev@example.com"]

[agent.alerts.rule.high-memory]
type = "memory"
above = "900Mi"
for = "2m"
severity = "critical"
services = ["web-*"]

[agent.alerts.rule.busy]
type = "cpu"
above = "250%"

[agent.alerts.rule.restarts]
above = 10
within = "10m"

[agent.alerts.rule.unhealthy]
enabled = false
`;

const ENV = { WEBHOOK_SECRET: 's3cret', SMTP_PASSWORD: 'pw' };

describe('decodeAlertsConfig', () => {
  it('gives the default rules and no delivery without a block', () => {
    for (const input of [undefined, null, {}, [{}]]) {
      expect(decoded(input)).toEqual({
        enabled: true,
        group_wait: 10_000,
        repeat_interval: 4 * 3_600_000,
        queue_size: 100,
        retry: { attempts: 5, initial: 1_000, max: 60_000 },
        webhook: null,
        webhook_url: null,
        email: null,
        rules: DEFAULT_RULES,
      });
    }
  });

  it('decodes the shipped agent.hcl (the plan\'s short form) to the defaults plus its two receivers', async () => {
    const loaded = await loadAgentConfig([path.resolve('manifests/agent.hcl')], { SMTP_PASSWORD: 'p' });
    expect(loaded.agent.alerts).toEqual({
      ...decoded(undefined),
      webhook_url: 'https://hooks.slack.com/services/xxx',
      email: {
        smtp_host: 'smtp.gmail.com', smtp_port: 587, secure: false, username: 'alerts@company.com', password: 'p',
        from: 'alerts@company.com', to: ['alerts@company.com'], timeout: 10_000,
      },
    });
  });

  it('decodes a full block from HCL, and the same from TOML', async () => {
    const hcl = await alertsBlock('agent.hcl', FULL_HCL, ENV);
    const toml = await alertsBlock('agent.toml', FULL_TOML, ENV);
    expect(toml).toEqual(hcl);
    expect(hcl).toEqual({
      enabled: true,
      group_wait: 30_000,
      repeat_interval: 3_600_000,
      queue_size: 50,
      retry: { attempts: 3, initial: 2_000, max: 30_000 },
      webhook: { url: 'https://hooks.example.com/hxe', secret: 's3cret', timeout: 3_000, headers: { Authorization: 'Bearer abc' } },
      webhook_url: null,
      email: {
        smtp_host: 'smtp.example.com', smtp_port: 465, secure: true, username: 'alerts@example.com', password: 'pw',
        from: 'hxe@example.com', to: ['ops@example.com', 'dev@example.com'], timeout: 10_000,
      },
      rules: [
        DEFAULT_RULES[0],
        DEFAULT_RULES[1],
        { name: 'restarts', type: 'restarts', severity: 'warning', services: [], above: 10, for: 0, within: 600_000 },
        DEFAULT_RULES[4],
        { name: 'busy', type: 'cpu', severity: 'warning', services: [], above: 250, for: 60_000, within: 0 },
        { name: 'high-memory', type: 'memory', severity: 'critical', services: ['web-*'], above: 900 * 2 ** 20, for: 120_000, within: 0 },
      ],
    });
  });

  it('drops the default rules with default_rules = false', () => {
    expect(decoded({ default_rules: false, rule: { crashloop: {} } }).rules).toEqual([DEFAULT_RULES[0]]);
  });

  it('uses STARTTLS (secure = false) on port 587 by default', () => {
    expect(decoded({ email: { smtp_host: 'h', from: 'a@b', to: ['c@d'] } }).email).toMatchObject({ smtp_port: 587, secure: false, username: null, password: null });
  });

  it('reports every problem at once, each with its path', () => {
    const result = decodeAlertsConfig([{
      group_wiat: '5s',
      repeat_interval: 'often',
      webhook: [{ url: 'ftp://hooks.example.com', timeout: 5 }],
      email: [{ smtp_host: 'smtp.example.com', to: [], username: 'me' }],
      retry: [{ initial: '10s', max: '1s' }],
      rule: {
        'high-memory': [{ type: 'memory', above: '900m', within: '5m' }],
        busy: [{ type: 'cpu' }],
        oops: [{ typ: 'cpu' }],
        mystery: [{ above: 3 }],
        twice: [{ type: 'failed' }, { type: 'failed' }],
        'store_error': [{ services: ['web'] }],
        restarts: [{ above: -1 }],
        cpu: [{ severity: 'fatal' }],
      },
    }]);
    expect('issues' in result && result.issues).toEqual([
      { path: 'alerts.repeat_interval', message: 'expected a duration such as "500ms", "10s", "5m" or "1h30m", got "often"' },
      { path: 'alerts.retry.max', message: 'shorter than retry.initial' },
      { path: 'alerts.webhook.url', message: 'expected an http:// or https:// URL, got "ftp://hooks.example.com"' },
      { path: 'alerts.webhook.timeout', message: 'expected a duration above 0 such as "10s", got 5' },
      { path: 'alerts.email.to', message: 'expected at least one address' },
      { path: 'alerts.email.password', message: 'username and password go together: give both or neither' },
      { path: 'alerts.group_wiat', message: 'unknown field, did you mean "group_wait"?' },
      { path: 'alerts.rule.busy.above', message: 'missing, expected a CPU percentage of one core such as 90 or "250%"' },
      { path: 'alerts.rule.cpu.severity', message: 'expected one of warning, critical, got "fatal"' },
      { path: 'alerts.rule.high-memory.within', message: 'not used by rules of type memory (they use above, for)' },
      { path: 'alerts.rule.high-memory.above', message: expect.stringContaining('(did you mean "900Mi"?)') },
      { path: 'alerts.rule.mystery.type', message: 'missing, expected one of memory, cpu, restarts, crashloop, unhealthy, failed, store_error, host_cpu, host_memory, host_disk, host_load' },
      { path: 'alerts.rule.oops.typ', message: 'unknown field, did you mean "type"?' },
      { path: 'alerts.rule.restarts.above', message: 'expected a number of restarts such as 5, got -1' },
      { path: 'alerts.rule.store_error.services', message: 'not used by rules of type store_error (the store is the agent\'s)' },
      { path: 'alerts.rule.twice', message: 'rule "twice" given 2 times, expected one' },
    ]);
  });

  it('refuses a block given twice and a rule block without a name', () => {
    expect(decodeAlertsConfig([{}, {}])).toEqual({ issues: [{ path: 'alerts', message: 'alerts given 2 times, expected one' }] });
    expect(decodeAlertsConfig({ rule: [{ type: 'cpu' }] })).toEqual({
      issues: [{ path: 'alerts.rule', message: 'expected named rule blocks: rule "NAME" { ... } ([alerts.rule.NAME] in TOML)' }],
    });
  });
});
