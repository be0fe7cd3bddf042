/**
 * hcl2json costs ~0.3 s and ~70 MB to import: it must be imported only when
 * an HCL file has to be parsed, never for TOML or for HCL in the parse cache.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { loadManifests } from '../../src/manifest/load.js';
import { createFileParseCache } from '../../src/manifest/parse-cache.js';
import { withTempDir, writeFiles } from './helpers.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

const parses = vi.hoisted(() => ({ count: 0 }));

vi.mock('@cdktf/hcl2json', async (importOriginal) => {
  const actual = await importOriginal<{ parse(file: string, text: string): Promise<unknown> }>();
  return {
    ...actual,
    parse: (file: string, text: string) => {
      parses.count++;
      return actual.parse(file, text);
    },
  };
});

/** Loads `dir` in a new Node process; says whether hcl2json got loaded, and what was decoded. */
function loadInNewProcess(dir: string, cacheDir: string): { loaded: boolean; result: unknown } {
  const probe = join(dir, 'probe.mts');
  const source = (path: string) => JSON.stringify(pathToFileURL(join(REPO, path)).href);
  const code = [
    "import { createRequire } from 'node:module';",
    `import { loadManifests } from ${source('src/manifest/load.ts')};`,
    `import { createFileParseCache } from ${source('src/manifest/parse-cache.ts')};`,
    `const result = await loadManifests([${JSON.stringify(join(dir, 'manifests'))}], { cache: createFileParseCache(${JSON.stringify(cacheDir)}) });`,
    "const loaded = Object.keys(createRequire(import.meta.url).cache).some((path) => path.includes('hcl2json'));",
    'console.log(JSON.stringify({ loaded, result }));',
  ].join('\n');
  writeFileSync(probe, code);
  const output = execFileSync(process.execPath, ['--import', 'tsx', probe], { cwd: REPO, encoding: 'utf8' });
  return JSON.parse(output) as { loaded: boolean; result: unknown };
}

describe('hcl2json is imported lazily', () => {
  it('a new process imports it for an uncached HCL file only, and decodes cached files identically', async () => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, {
        'manifests/a.hcl': 'service "a" {\n  command = "x"\n  depends_on = ["b"]\n}\n',
        'manifests/b.toml': '[service.b]\ncommand = "y"\n',
      });
      const cacheDir = join(dir, 'cache');
      const cold = loadInNewProcess(dir, cacheDir);
      const warm = loadInNewProcess(dir, cacheDir);
      expect(cold.loaded).toBe(true);
      expect(warm.loaded).toBe(false);
      expect(JSON.stringify(warm.result)).toBe(JSON.stringify(cold.result));
    });
  });

  it('is not imported for TOML only', async () => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, { 'manifests/b.toml': '[service.b]\ncommand = "y"\n' });
      expect(loadInNewProcess(dir, join(dir, 'cache')).loaded).toBe(false);
    });
  });
});

describe('hcl2json is called only on a cache miss', () => {
  beforeEach(() => {
    parses.count = 0;
  });

  it('is not called for files in the cache, and the output is identical', async () => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, {
        'a.hcl': 'service "a" {\n  command = "x"\n  depends_on = ["b"]\n}\n',
        'b.hcl': 'services {\n  service "b" {\n    command = "y"\n  }\n}\n',
      });
      const cacheDir = join(dir, '.cache');
      const cold = await loadManifests([dir], { cache: createFileParseCache(cacheDir) });
      expect(parses.count).toBe(2);
      const warm = await loadManifests([dir], { cache: createFileParseCache(cacheDir) });
      expect(parses.count).toBe(2);
      expect(JSON.stringify(warm)).toBe(JSON.stringify(cold));
    });
  });

  it('parses only the files that changed', async () => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, { 'a.hcl': 'service "a" { command = "x" }\n', 'b.hcl': 'service "b" { command = "y" }\n' });
      const cache = createFileParseCache(join(dir, '.cache'));
      await loadManifests([dir], { cache });
      await writeFiles(dir, { 'b.hcl': 'service "b" { command = "z" }\n' });
      const { services } = await loadManifests([dir], { cache });
      expect(parses.count).toBe(3);
      expect(services.map((service) => service.spec.command)).toEqual(['x', 'z']);
    });
  });
});
