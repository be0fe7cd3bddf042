import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileParseCache, parseCacheKey } from '../../src/manifest/parse-cache.js';
import { loadManifests } from '../../src/manifest/load.js';
import { withTempDir, writeFiles } from './helpers.js';

describe('createFileParseCache', () => {
  it('stores and returns values by key, creating its directory when first written', async () => {
    await withTempDir(async (dir) => {
      const cacheDir = join(dir, 'cache', 'parse');
      const cache = createFileParseCache(cacheDir);
      const key = parseCacheKey('hcl', 'service "x" {}');
      expect(cache.get(key)).toBeUndefined();
      expect(existsSync(cacheDir)).toBe(false);
      cache.set(key, { service: { x: [{}] } });
      expect(createFileParseCache(cacheDir).get(key)).toEqual({ service: { x: [{}] } });
      expect(readdirSync(cacheDir)).toEqual([`${key}.json`]);
    });
  });

  it('treats corrupt entries and foreign keys as misses', async () => {
    await withTempDir(async (dir) => {
      const cache = createFileParseCache(dir);
      const key = parseCacheKey('toml', 'a = 1');
      writeFileSync(join(dir, `${key}.json`), '{"value": {"trunc');
      expect(cache.get(key)).toBeUndefined();
      writeFileSync(join(dir, `${key}.json`), 'null');
      expect(cache.get(key)).toBeUndefined();
      cache.set('../escape', 1);
      expect(cache.get('../escape')).toBeUndefined();
      expect(existsSync(join(dir, '..', 'escape.json'))).toBe(false);
    });
  });

  it('ignores write failures instead of failing a load', async () => {
    await withTempDir(async (dir) => {
      writeFileSync(join(dir, 'file'), '');
      const cache = createFileParseCache(join(dir, 'file', 'cache'));
      const key = parseCacheKey('hcl', '');
      expect(() => cache.set(key, {})).not.toThrow();
      expect(cache.get(key)).toBeUndefined();
    });
  });

  it('keys by format and content', () => {
    expect(parseCacheKey('hcl', 'a = 1')).not.toBe(parseCacheKey('toml', 'a = 1'));
    expect(parseCacheKey('hcl', 'a = 1')).not.toBe(parseCacheKey('hcl', 'a = 2'));
    expect(parseCacheKey('hcl', 'a = 1')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('loadManifests with a parse cache', () => {
  it('uses a cached parse instead of parsing (the cached document wins)', async () => {
    await withTempDir(async (dir) => {
      const text = 'service "real" {\n  command = "x"\n}\n';
      await writeFiles(dir, { 'a.hcl': text });
      const cache = createFileParseCache(join(dir, '.cache'));
      cache.set(parseCacheKey('hcl', text), { service: { cached: [{ command: 'from-cache' }] } });
      const { services } = await loadManifests([join(dir, 'a.hcl')], { cache });
      expect(services.map((service) => [service.name, service.spec.command])).toEqual([['cached', 'from-cache']]);
    });
  });

  it('a cached TOML parse decodes exactly like a fresh one (dates, non-finite numbers)', async () => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, { 'a.toml': '[service.a]\ncommand = "x"\nlabels = { day = 2024-01-02, n = nan }\n' });
      const cache = createFileParseCache(join(dir, '.cache'));
      const fresh = await loadManifests([dir]);
      await loadManifests([dir], { cache });
      const cached = await loadManifests([dir], { cache });
      expect(JSON.stringify(cached)).toBe(JSON.stringify(fresh));
      expect(fresh.services[0].spec.labels).toEqual({ day: '2024-01-02', n: 'nan' });
    });
  });

  it('does not cache a failed parse', async () => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, { 'a.toml': '[service.a\n' });
      const cacheDir = join(dir, 'cache');
      await expect(loadManifests([join(dir, 'a.toml')], { cache: createFileParseCache(cacheDir) })).rejects.toThrow(/invalid TOML/);
      expect(existsSync(cacheDir)).toBe(false);
    });
  });
});

describe('loadManifests with decoded services in the cache', () => {
  const web = 'service "web" {\n  command = "./web --port 80"\n  working_dir = "app"\n  depends_on = ["db"]\n}\n';
  const db = 'service "db" {\n  command = "postgres"\n}\n';

  it('gives exactly what a fresh load gives, and serves an unchanged file from the cache', async () => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, { 'a.hcl': web, 'b.toml': '[service.db]\ncommand = "postgres"\n' });
      const cacheDir = join(dir, '.cache');
      const fresh = await loadManifests([dir]);
      await loadManifests([dir], { cache: createFileParseCache(cacheDir) });
      const entries = readdirSync(cacheDir).length;
      const cached = await loadManifests([dir], { cache: createFileParseCache(cacheDir) });
      expect(JSON.stringify(cached)).toBe(JSON.stringify(fresh));
      expect(readdirSync(cacheDir)).toHaveLength(entries);
      // The decoded entry wins over the raw parse: prove it is what was used.
      const decodedKey = readdirSync(cacheDir).map((f) => f.replace('.json', ''))
        .find((key) => Array.isArray(createFileParseCache(cacheDir).get(key)) && JSON.stringify(createFileParseCache(cacheDir).get(key)).includes('"web"'))!;
      const value = createFileParseCache(cacheDir).get(decodedKey) as { spec: { command: string } }[];
      value[0].spec.command = 'from-decoded-cache';
      createFileParseCache(cacheDir).set(decodedKey, value);
      const again = await loadManifests([dir], { cache: createFileParseCache(cacheDir) });
      expect(again.services.find((s) => s.name === 'web')?.spec.command).toBe('from-decoded-cache');
    });
  });

  it('decodes a changed file again, and keys by path (relative paths resolve per file)', async () => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, { 'one/a.hcl': web + db, 'two/a.hcl': web + db });
      const cache = createFileParseCache(join(dir, '.cache'));
      const first = await loadManifests([join(dir, 'one/a.hcl')], { cache });
      const second = await loadManifests([join(dir, 'two/a.hcl')], { cache });
      expect(first.services[1].spec.working_dir).toBe(join(dir, 'one/app'));
      expect(second.services[1].spec.working_dir).toBe(join(dir, 'two/app'));
      await writeFiles(dir, { 'one/a.hcl': web.replace('--port 80', '--port 81') + db });
      const changed = await loadManifests([join(dir, 'one/a.hcl')], { cache });
      expect(changed.services[1].spec.command).toContain('--port 81');
    });
  });

  it('reports set issues across cached files with their exact lines', async () => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, { 'a.hcl': db, 'b.hcl': `\n\n${db}` });
      const cache = createFileParseCache(join(dir, '.cache'));
      // Each file alone is fine, and cached as decoded.
      await loadManifests([join(dir, 'a.hcl')], { cache });
      await loadManifests([join(dir, 'b.hcl')], { cache });
      const both = loadManifests([join(dir, 'a.hcl'), join(dir, 'b.hcl')], { cache });
      await expect(both).rejects.toThrow(/b\.hcl:3/);
      await expect(both).rejects.toThrow(/duplicate|already/i);
    });
  });

  it('does not keep the decoded services of a file with issues', async () => {
    await withTempDir(async (dir) => {
      await writeFiles(dir, { 'a.hcl': 'service "web" {\n  command = "x"\n  restart = "sometimes"\n}\n' });
      const cache = createFileParseCache(join(dir, '.cache'));
      for (let i = 0; i < 2; i++) {
        await expect(loadManifests([join(dir, 'a.hcl')], { cache })).rejects.toThrow(/a\.hcl:3/);
      }
    });
  });
});

describe('the parse cache keeps no old or refused secret value', () => {
  const withSecret = (value: string) => `service "web" {\n  command = "web"\n  environment = {\n    TOKEN = "${value}"\n  }\n}\n`;
  /** Every file under `dir`, read as text, joined. */
  const everything = (dir: string): string => (existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name)).filter((path) => statSync(path).isFile()).map((path) => readFileSync(path, 'utf8')).join('\n') : '');

  it('drops the entries of a manifest whose content changed', async () => {
    await withTempDir(async (dir) => {
      const cacheDir = join(dir, 'cache');
      await writeFiles(dir, { 'a.hcl': withSecret('SECRET1'), 'b.hcl': 'service "db" {\n  command = "db"\n}\n' });
      await loadManifests([join(dir, 'a.hcl'), join(dir, 'b.hcl')], { cache: createFileParseCache(cacheDir) });
      expect(everything(cacheDir)).toContain('SECRET1');
      const before = readdirSync(cacheDir).length;

      await writeFiles(dir, { 'a.hcl': withSecret('SECRET2') });
      const { services } = await loadManifests([join(dir, 'a.hcl'), join(dir, 'b.hcl')], { cache: createFileParseCache(cacheDir) });
      expect(services[1].spec.environment).toEqual({ TOKEN: 'SECRET2' });
      expect(everything(cacheDir)).not.toContain('SECRET1');
      expect(everything(cacheDir)).toContain('SECRET2');
      expect(readdirSync(cacheDir)).toHaveLength(before); // b.hcl's entries stay; a.hcl's were replaced
    });
  });

  it('keeps no entry of a rejected manifest, old or new, and keeps the others of the set', async () => {
    await withTempDir(async (dir) => {
      const cacheDir = join(dir, 'cache');
      await writeFiles(dir, { 'a.hcl': withSecret('SECRET1'), 'b.hcl': 'service "db" {\n  command = "db"\n}\n' });
      const load = () => loadManifests([join(dir, 'a.hcl'), join(dir, 'b.hcl')], { cache: createFileParseCache(cacheDir) });
      await load();
      await writeFiles(dir, { 'a.hcl': withSecret('SECRET3').replace('command = "web"', 'command = "web"\n  instances = "two"') });
      await expect(load()).rejects.toThrow(/instances/);
      expect(everything(cacheDir)).not.toMatch(/SECRET1|SECRET3/);
      expect(everything(cacheDir)).toContain('"db"');

      await writeFiles(dir, { 'a.hcl': withSecret('SECRET4') + '}' }); // a syntax error: not even parsed
      await expect(load()).rejects.toThrow();
      expect(everything(cacheDir)).not.toMatch(/SECRET/);
    });
  });

  it('when entries change, also drops those of manifests deleted since, and entries no file uses once a minute old', async () => {
    await withTempDir(async (dir) => {
      const cacheDir = join(dir, 'cache');
      await writeFiles(dir, { 'gone.hcl': withSecret('SECRET-GONE'), 'b.hcl': withSecret('SECRET-B1') });
      await loadManifests([join(dir, 'gone.hcl')], { cache: createFileParseCache(cacheDir) });
      await loadManifests([join(dir, 'b.hcl')], { cache: createFileParseCache(cacheDir) });
      const cache = createFileParseCache(cacheDir);
      const [oldKey, youngKey] = [parseCacheKey('hcl', 'old'), parseCacheKey('hcl', 'young')];
      cache.set(oldKey, 'SECRET-ORPHAN'); // as an older hxe left it
      cache.set(youngKey, 'a load in progress');
      const twoMinutesAgo = new Date(Date.now() - 120_000);
      utimesSync(join(cacheDir, `${oldKey}.json`), twoMinutesAgo, twoMinutesAgo);
      rmSync(join(dir, 'gone.hcl'));

      await writeFiles(dir, { 'b.hcl': withSecret('SECRET-B2') });
      await loadManifests([join(dir, 'b.hcl')], { cache: createFileParseCache(cacheDir) });
      expect(everything(cacheDir)).not.toMatch(/SECRET-(GONE|ORPHAN|B1)/);
      expect(everything(cacheDir)).toContain('SECRET-B2');
      expect(cache.get(youngKey)).toBe('a load in progress');
    });
  });
});
