import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderSchema, SCHEMA_PATH } from '../../scripts/gen-schema.js';
import { loadManifests } from '../../src/manifest/load.js';
import { FIELDS_BY_BLOCK } from '../../src/manifest/schema.js';
import { withTempDir, writeFiles } from './helpers.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SEED = join(REPO, 'examples/seed');

describe('the seed example', () => {
  it('validates, and its HCL and TOML forms give byte-identical specs', async () => {
    const hcl = await loadManifests([join(SEED, 'services.hcl')]);
    const toml = await loadManifests([join(SEED, 'services.toml')]);
    expect(hcl.services.map((service) => service.name)).toEqual(['database', 'web-app']);
    const specs = (result: typeof hcl) => result.services.map((service) => JSON.stringify(service.spec));
    expect(specs(toml)).toEqual(specs(hcl));
  });

  it('decodes the SPEC example as documented', async () => {
    const { services } = await loadManifests([join(SEED, 'services.hcl')]);
    const web = services.find((service) => service.name === 'web-app')!.spec;
    expect(web).toMatchObject({
      command: 'node app.js',
      working_dir: '/opt/web-app',
      user: 'www-data',
      environment: { DATABASE_URL: 'env:DATABASE_URL', NODE_ENV: 'production' },
      depends_on: ['database'],
      instances: 2,
      health_check: { type: 'http', url: 'http://localhost:3000/health', interval: 10_000, timeout: 5_000, retries: 3 },
      resources: { cpu_limit: 1000, memory_limit: 2 ** 30 },
      restart_policy: 'always',
      tags: ['web', 'frontend'],
    });
  });
});

describe('the JSON Schema for editors', () => {
  it('is current (run npx tsx scripts/gen-schema.ts)', () => {
    expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(renderSchema());
  });

  it('lists every field of a service and of each block, with no other', () => {
    const schema = JSON.parse(renderSchema()) as {
      properties: { service: { additionalProperties: { properties: Record<string, { properties?: object }>; additionalProperties: boolean } } };
    };
    const service = schema.properties.service.additionalProperties;
    expect(service.additionalProperties).toBe(false);
    expect(Object.keys(service.properties)).toEqual(FIELDS_BY_BLOCK['']);
    for (const [block, fields] of Object.entries(FIELDS_BY_BLOCK)) {
      if (block !== '') expect(Object.keys(service.properties[block].properties ?? {})).toEqual(fields);
    }
  });
});

describe('docs/manifest.md', () => {
  const docs = readFileSync(join(REPO, 'docs/manifest.md'), 'utf8');
  const blocks = [...docs.matchAll(/```(hcl|toml)\n([\s\S]*?)```/g)]
    .map(([, format, text]) => ({ format, text }))
    // Whole manifests only: a block that declares a service must load on its own; snippets of one block are skipped.
    .filter(({ text }) => /^(services \{|service "|\[service\.)/m.test(text));

  it('has examples in both languages', () => {
    expect(blocks.filter((block) => block.format === 'hcl').length).toBeGreaterThan(0);
    expect(blocks.filter((block) => block.format === 'toml').length).toBeGreaterThan(1);
  });

  it.each(blocks.map((block, index) => [index, block.format, block.text] as const))('example %i (%s) loads', async (_, format, text) => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, { [`example.${format}`]: text });
      await expect(loadManifests([dir])).resolves.toBeDefined();
    });
  });
});
