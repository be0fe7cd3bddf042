/**
 * A normalised spec (what the API receives, what the store holds) is checked
 * by the manifest's own schema: every spec the loader produces passes
 * unchanged, and what a manifest could not say is refused with its field.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkAppliedSet } from '../../src/manifest/applied-set.js';
import { decodeSpec } from '../../src/manifest/decode-spec.js';
import { formatFieldPath } from '../../src/manifest/field-path.js';
import { loadManifests } from '../../src/manifest/load.js';
import { desired, recordOf, specOf } from '../helpers/specs.js';
import { FIXTURES } from './helpers.js';

const GOOD = join(FIXTURES, 'good');

function issuesOf(spec: unknown, name = 'web'): string[] {
  return decodeSpec(name, spec).issues.map((issue) => `${formatFieldPath(issue.path)}: ${issue.message}`);
}

describe('decodeSpec', () => {
  it('gives back every spec the loader produces from the good fixtures, unchanged', async () => {
    const files = readdirSync(GOOD).filter((name) => /\.(hcl|toml)$/.test(name)).map((name) => join(GOOD, name));
    const services = (await Promise.all(files.map(async (file) => (await loadManifests([file])).services))).flat();
    expect(services.length).toBeGreaterThan(10);
    for (const service of services) {
      const decoded = decodeSpec(service.name, JSON.parse(JSON.stringify(service.spec)));
      expect(decoded.issues, service.name).toEqual([]);
      expect(decoded.spec, service.name).toEqual(service.spec);
    }
  });

  it('takes the manifest defaults for absent fields', () => {
    expect(decodeSpec('web', { command: 'sleep 1000' }).spec).toEqual({ ...specOf(), working_dir: null });
  });

  it('refuses what a manifest could not say, naming each field', () => {
    const issues = issuesOf({
      command: 'sleep 1',
      instances: -5,
      stop_signal: 'SIGNOPE',
      environment: { '1BAD': 'x' },
      depends_on: 'db',
      stop_timeout: '10s',
      working_dir: 'relative/dir',
      resources: { cpu_limit: -1 },
      health_check: { type: 'tcp', url: 'http://x/' },
      surprise: true,
    });
    expect(issues).toEqual(expect.arrayContaining([
      'instances: expected at least 0, got -5',
      expect.stringMatching(/^stop_signal: expected a signal name .*got "SIGNOPE"$/),
      expect.stringMatching(/^environment\.1BAD: invalid variable name/),
      expect.stringMatching(/^depends_on: expected a list/),
      'stop_timeout: expected a number of milliseconds (0 or more), got "10s"',
      'working_dir: expected an absolute path, got "relative/dir"',
      'resources.cpu_limit: expected a number of millicores (0 or more), got -1',
      'health_check.url: only for type "http" health checks, this one is type "tcp"',
      'health_check.port: missing, required for type "tcp"',
      expect.stringMatching(/^surprise: unknown field/),
    ]));
  });

  it('refuses a count given as a string, and a bad name', () => {
    expect(issuesOf({ command: 'x', instances: '3' })).toEqual(['instances: expected an integer, got "3"']);
    expect(issuesOf({ command: 'x' }, '../etc')[0]).toMatch(/^: invalid name/);
    expect(issuesOf(null)).toEqual([': spec: expected a service spec (an object), got nothing']);
  });
});

describe('checkAppliedSet', () => {
  it('finds a cycle, an unknown dependency and a duplicate among the applied and kept services', () => {
    const kept = [recordOf('db', { depends_on: ['web'] }), recordOf('old', { depends_on: ['gone'] })];
    const applied = [desired('web', { depends_on: ['db'] }), desired('api', { depends_on: ['nowhere'] }), desired('api')];
    const messages = checkAppliedSet(kept, applied).map((issue) => `${issue.service}: ${issue.path}: ${issue.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/^api: : duplicate service name/),
      'api: depends_on[0]: unknown service "nowhere"',
      'db: depends_on: dependency cycle: db → web → db',
    ]);
  });

  it('accepts a dependency on a service the store keeps', () => {
    expect(checkAppliedSet([recordOf('db')], [desired('web', { depends_on: ['db'] })])).toEqual([]);
  });
});
