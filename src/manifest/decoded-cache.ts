/**
 * The decoded services of a manifest file that had no issues, kept in the
 * parse cache by path and content (a relative path in a spec resolves
 * against the file's directory), so that an unchanged file costs neither
 * hcl2json nor the schema (zod is then not even loaded).
 * The key holds this module's URL too: in the bundle, a chunk's name is a
 * hash of its code and of the chunks it imports, so a changed schema gives
 * new keys rather than a stale hit.
 */
import { createHash } from 'node:crypto';
import type { ServiceSpec } from '../core/types.js';
import { VERSION } from '../core/version.js';
import type { ManifestFile } from './collect-files.js';
import type { DecodedService } from './decode-service.js';
import { isPlainObject } from './parse-outcome.js';
import { PARSE_CACHE_VERSION, parseCacheKey, type ParseCache } from './parse-cache.js';

const CODE = import.meta.url;

interface CachedService {
  name: string;
  line: number | null;
  spec: ServiceSpec;
}

export function decodedCacheKey(absolute: string, text: string): string {
  return createHash('sha256').update(`decoded\0${VERSION}\0${PARSE_CACHE_VERSION}\0${CODE}\0${absolute}\0${text}`).digest('hex');
}

/** Every cache key of one file's content: its parse output and its decoded services. */
export function cacheKeysOf(file: ManifestFile, text: string): string[] {
  return [parseCacheKey(file.format, text), decodedCacheKey(file.absolute, text)];
}

/**
 * After a load: each file read keeps the entries of its current content
 * only, and a rejected file (one named by an issue) keeps none, so that no
 * old or refused secret value stays in the cache. `keys` holds, by absolute
 * path, the keys of each file's current content ([] when it was not read).
 */
export function settleCache(cache: ParseCache | undefined, keys: Map<string, string[]>, rejected: Set<string>): void {
  if (!cache) return;
  for (const [path, current] of keys) {
    try {
      if (rejected.has(path)) cache.release?.(path, current);
      else cache.claim?.(path, current);
    } catch {
      // A cache may only make loading faster, never fail it.
    }
  }
}

/** Keeps the services of a file that decoded without any issue. */
export function writeDecoded(cache: ParseCache | undefined, key: string, services: DecodedService[]): void {
  if (!cache || services.some((service) => service.spec === null)) return;
  cache.set(key, services.map(({ name, line, spec }): CachedService => ({ name, line, spec: spec! })));
}

/** The services kept for `key`, or null. A cached service knows its own line, not its fields'. */
export function readDecoded(cache: ParseCache, key: string, file: ManifestFile): DecodedService[] | null {
  const value = cache.get(key);
  if (!Array.isArray(value) || !value.every(isCachedService)) return null;
  const source = { file: file.display, absolute: file.absolute, format: file.format, index: [] };
  return value.map(({ name, line, spec }) => ({ name, line, spec, source, dependsOn: spec.depends_on, lineOf: () => line }));
}

function isCachedService(value: unknown): value is CachedService {
  return isPlainObject(value) && typeof value.name === 'string' && isPlainObject(value.spec) && Array.isArray(value.spec.depends_on)
    && (value.line === null || typeof value.line === 'number');
}
