/**
 * Every manifest under test/fixtures/manifests runs through the loader:
 * good/NAME.{hcl,toml} must decode to good/NAME.expected.json (HCL and TOML
 * twins to the same file), bad/ENTRY (a file or a directory) must fail with
 * exactly the lines of bad/ENTRY.errors. UPDATE_FIXTURES=1 rewrites the
 * expectations: review the diff before keeping it.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifests } from '../../src/manifest/load.js';
import { FIXTURES, issueLines, manifestError } from './helpers.js';

const GOOD = join(FIXTURES, 'good');
const BAD = join(FIXTURES, 'bad');
const UPDATE = process.env.UPDATE_FIXTURES === '1';

const isExpectation = (name: string) => name.endsWith('.expected.json') || name.endsWith('.errors');
const entries = (dir: string) => readdirSync(dir).filter((name) => !isExpectation(name)).sort();

/** Compares `actual` with the expectation file, or writes it in update mode. */
function expectFile(actual: string, path: string): void {
  if (UPDATE) writeFileSync(path, actual);
  expect(existsSync(path), `missing expectation ${path}`).toBe(true);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

function declarationPattern(name: string): RegExp {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`service\\s+"${escaped}"|^\\[service\\.${escaped}\\]`);
}

describe('good manifests', () => {
  it.each(entries(GOOD))('%s decodes to its expected specs', async (name) => {
    const file = join(GOOD, name);
    const result = await loadManifests([file]);
    expect(result.files).toEqual([file]);
    const specs = result.services.map((service) => ({ name: service.name, spec: service.spec }));
    const json = `${JSON.stringify(specs, null, 2).split(GOOD).join('<dir>')}\n`;
    expectFile(json, join(GOOD, `${basename(name, extname(name))}.expected.json`));
    const lines = readFileSync(file, 'utf8').split('\n');
    for (const service of result.services) {
      expect(service.file).toBe(file);
      expect(lines[(service.line ?? 0) - 1]).toMatch(declarationPattern(service.name));
    }
  });

  const twins = entries(GOOD).filter((name) => name.endsWith('.hcl') && existsSync(join(GOOD, name.replace(/\.hcl$/, '.toml'))));

  it('has HCL/TOML twins for every good HCL fixture', () => {
    expect(twins).toEqual(entries(GOOD).filter((name) => name.endsWith('.hcl')));
  });

  it.each(twins)('%s and its TOML twin give byte-identical specs', async (name) => {
    const [hcl, toml] = await Promise.all([
      loadManifests([join(GOOD, name)]),
      loadManifests([join(GOOD, name.replace(/\.hcl$/, '.toml'))]),
    ]);
    const specs = (result: typeof hcl) => result.services.map((service) => `${service.name} ${JSON.stringify(service.spec)}`);
    expect(specs(toml)).toEqual(specs(hcl));
  });
});

describe('bad manifests', () => {
  it.each(entries(BAD))('%s fails with exactly its expected errors', async (name) => {
    const error = await manifestError(loadManifests([join(BAD, name)]));
    expectFile(`${issueLines(error, BAD).join('\n')}\n`, join(BAD, `${name}.errors`));
    expect(error.code).toBe('INVALID_MANIFEST');
  });

  it('names every bad file when the directory is loaded as one set', async () => {
    const error = await manifestError(loadManifests([BAD]));
    const named = new Set(error.issues.map((issue) => basename(issue.file)));
    // A directory holds only its *.hcl / *.toml files (not the .yaml, not subdirectories without -R).
    expect([...named].sort()).toEqual(entries(BAD).filter((name) => /\.(hcl|toml)$/.test(name)));
  });
});
