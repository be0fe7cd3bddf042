/**
 * A cache of raw parse output, so that an unchanged HCL file never needs
 * hcl2json (a ~0.3 s import). Keys are content hashes: a stale entry cannot
 * be hit, only left behind.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ManifestFormat } from './format.js';

/** Raw parse output by key. Implementations must never throw: a cache may only make loading faster. */
export interface ParseCache {
  get(key: string): unknown | undefined;
  set(key: string, value: unknown): void;
}

/** Bump when the shape of cached parse output changes (a new parser version, new post-processing). */
export const PARSE_CACHE_VERSION = 'hxe-manifest-parse-1 hcl2json-0.21.0 smol-toml-1.9';

/** sha256 of format, cache version and file content: the key of one file's parse output. */
export function parseCacheKey(format: ManifestFormat, content: string): string {
  return createHash('sha256').update(`${format}\0${PARSE_CACHE_VERSION}\0${content}`).digest('hex');
}

const KEY = /^[0-9a-f]{64}$/;

/**
 * A {@link ParseCache} of one JSON file per key under `dir` (created when
 * first written). Writes go to a temporary file renamed into place, so a
 * reader never sees half an entry; unreadable or corrupt entries count as
 * misses; write failures (read-only home, full disk) are ignored.
 */
export function createFileParseCache(dir: string): ParseCache {
  const entryPath = (key: string) => (KEY.test(key) ? join(dir, `${key}.json`) : null);
  return {
    get(key) {
      const path = entryPath(key);
      if (!path) return undefined;
      try {
        return (JSON.parse(readFileSync(path, 'utf8')) as { value?: unknown }).value;
      } catch {
        return undefined;
      }
    },
    set(key, value) {
      const path = entryPath(key);
      if (!path) return;
      const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        writeFileSync(temp, JSON.stringify({ value }), { mode: 0o600 });
        renameSync(temp, path);
      } catch {
        removeQuietly(temp);
      }
    },
  };
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Nothing more to do: a stray temp file is harmless.
  }
}
