import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManifestError } from '../../src/core/errors.js';
import { defaultAgentConfig } from '../../src/config/defaults.js';
import { loadAgentConfig } from '../../src/config/load-config.js';

let dir: string;
beforeEach(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hxe-config-')); });
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

const write = async (name: string, text: string) => {
  const file = path.join(dir, name);
  await fs.writeFile(file, text);
  return file;
};

describe('loadAgentConfig', () => {
  it('gives the documented defaults for no configuration at all', async () => {
    const loaded = await loadAgentConfig([]);
    expect({ ...loaded, files: [], blocks: undefined }).toEqual({ ...defaultAgentConfig(), blocks: undefined });
  });

  it('reads the shipped agent.hcl and server.hcl (the plan\'s files), resolving env: values', async () => {
    const shipped = path.resolve('manifests');
    const loaded = await loadAgentConfig([path.join(shipped, 'agent.hcl'), path.join(shipped, 'server.hcl')], { SMTP_PASSWORD: 'p', JWT_SECRET: 'secret' });
    expect(loaded.agent.metrics).toEqual({ enabled: true, interval: 10_000, retention: 3_600_000, prometheus_endpoint: ':9090' });
    expect(loaded.server).toMatchObject({ host: '0.0.0.0', port: 8080, auth: { type: 'jwt', secret: 'secret' }, rate_limit: { requests_per_minute: 100, burst_size: 20 } });
  });

  it('ships templates that are the plan\'s text once hxe\'s comments are taken out', async () => {
    const bare = (text: string) => text.split('\n').map((line) => line.replace(/\s*#.*$/, '').trimEnd()).filter(Boolean).join('\n');
    for (const name of ['agent.hcl', 'server.hcl']) {
      const shipped = await fs.readFile(path.resolve('manifests', name), 'utf8');
      const plan = await fs.readFile(path.resolve('test/fixtures/config/plan', name), 'utf8');
      expect(bare(shipped)).toBe(bare(plan));
    }
  });

  it('reads TOML as well, and sync blocks relative to the file', async () => {
    const file = await write('agent.toml', '[agent]\nlog_level = "debug"\n[agent.metrics]\ninterval = "5s"\n[[sync]]\npath = "deploy"\nprune = true\n');
    const loaded = await loadAgentConfig([file]);
    expect(loaded.agent.log_level).toBe('debug');
    expect(loaded.agent.metrics.interval).toBe(5_000);
    expect(loaded.syncs).toEqual([{ path: path.join(dir, 'deploy'), prune: true, recursive: false }]);
  });

  it('reports every problem with file, line and field', async () => {
    const file = await write('agent.hcl', 'agent {\n  metrics {\n    interval = "soon"\n  }\n  colour = "blue"\n}\nserver {\n  token = "env:HXE_UNSET_FOR_TEST"\n}\n');
    const error = await loadAgentConfig([file], {}).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ManifestError);
    const lines = (error as ManifestError).message.split('\n');
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringMatching(/agent\.hcl:3: agent\.metrics\.interval: expected a duration/),
      expect.stringMatching(/agent\.hcl:5: agent\.colour: unknown field/),
      expect.stringMatching(/agent\.hcl:8: server\.token: environment variable HXE_UNSET_FOR_TEST is not set/),
    ]));
  });
});

describe('defaultAgentConfig', () => {
  it('has the alerts block decoded as the alerts module decodes an absent block', async () => {
    const { decodeAlertsConfig } = await import('../../src/alerts/config.js');
    expect(defaultAgentConfig().agent.alerts).toEqual((decodeAlertsConfig(undefined) as { config: unknown }).config);
  });
});
