import { existsSync, readdirSync, writeFileSync } from 'node:fs';
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
