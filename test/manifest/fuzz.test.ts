/**
 * Whatever text or bytes a manifest holds, loading it either succeeds or
 * throws ManifestError: never another error, never a hang. Inputs are the
 * fixture files mutated (deleted, inserted, duplicated, spliced tokens), plus
 * random text and bytes.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestError } from '../../src/core/errors.js';
import { loadManifests } from '../../src/manifest/load.js';
import { FIXTURES } from './helpers.js';

type Format = 'hcl' | 'toml';

interface Seed {
  format: Format;
  text: string;
}

function fixtureSeeds(dir: string): Seed[] {
  return readdirSync(dir).flatMap((name): Seed[] => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return fixtureSeeds(path);
    const format = name.endsWith('.hcl') ? 'hcl' : name.endsWith('.toml') ? 'toml' : null;
    return format ? [{ format, text: readFileSync(path, 'utf8') }] : [];
  });
}

const SEEDS = fixtureSeeds(FIXTURES);
const TOKENS = ['{', '}', '[', ']', '"', "'", '=', '\n', '#', '${', '$${', '%{', '\\', '0', '-1', '1e400', 'true', 'null', '"""',
  '[service.', 'service "a" {', 'services {', '<<EOT\n', '\u0000', '\uFEFF', '__proto__', '"env:"', '"10s"', '[[service.a]]'];

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.nat({ max: 40 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.nat({ max: 80 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 8 })) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(text: string, change: Mutation): string {
  const at = text.length === 0 ? 0 : change.at % (text.length + 1);
  if (change.kind === 'delete') return text.slice(0, at) + text.slice(at + change.length);
  if (change.kind === 'duplicate') return text.slice(0, at + change.length) + text.slice(at);
  return text.slice(0, at) + change.text + text.slice(at);
}

const format = fc.constantFrom<Format>('hcl', 'toml');

const input: fc.Arbitrary<{ format: Format; content: string | Uint8Array }> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ seed: fc.constantFrom(...SEEDS), changes: fc.array(mutation, { minLength: 1, maxLength: 6 }) })
    .map(({ seed, changes }) => ({ format: seed.format, content: changes.reduce(mutate, seed.text) })) },
  { weight: 1, arbitrary: fc.record({ format, content: fc.string({ unit: 'binary', maxLength: 200 }) }) },
  { weight: 1, arbitrary: fc.record({ format, content: fc.uint8Array({ maxLength: 200 }) }) },
);

const HANG_MS = 5_000;

async function loadOutcome(file: string): Promise<'ok' | 'manifest-error'> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`loading hung for ${HANG_MS} ms`)), HANG_MS);
  });
  try {
    await Promise.race([loadManifests([file]), hang]);
    return 'ok';
  } catch (err) {
    if (err instanceof ManifestError) return 'manifest-error';
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

describe('loading arbitrary manifests', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hxe-manifest-fuzz-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves or throws ManifestError, for mutated fixtures and random text or bytes', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(input, async ({ format, content }) => {
        const file = join(dir, `m${run++}.${format}`);
        await writeFile(file, content);
        expect(['ok', 'manifest-error']).toContain(await loadOutcome(file));
      }),
      // FUZZ_RUNS=20000 for a longer hunt; 300 keeps the suite at a few seconds.
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
  }, 600_000);
});
