/**
 * A cache of raw parse output, so that an unchanged HCL file never needs
 * hcl2json (a ~0.3 s import). Keys are content hashes: a stale entry cannot
 * be hit. Entries hold a manifest's values, secrets included, so none is
 * left behind either: the cache remembers which entries each file path
 * uses, and drops the old ones when the file changes or is rejected.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ManifestFormat } from './format.js';

/** Raw parse output by key. Implementations must never throw: a cache may only make loading faster. */
export interface ParseCache {
  get(key: string): unknown | undefined;
  set(key: string, value: unknown): void;
  /** The file at `path` now uses exactly the entries `keys`: the entries it used before and no longer does are removed. */
  claim?(path: string, keys: string[]): void;
  /** The file at `path` was rejected: the entries it used, and `keys`, are removed. */
  release?(path: string, keys: string[]): void;
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
 * first written), and under `dir/paths` one file per manifest path naming
 * the keys it uses. Writes go to a temporary file renamed into place, so a
 * reader never sees half an entry; unreadable or corrupt entries count as
 * misses; write failures (read-only home, full disk) are ignored. Two loads
 * of one file at once may drop each other's entries: a later miss, no more.
 */
export function createFileParseCache(dir: string): ParseCache {
  const entryPath = (key: string) => (KEY.test(key) ? join(dir, `${key}.json`) : null);
  const usesPath = (path: string) => join(dir, 'paths', `${createHash('sha256').update(path).digest('hex')}.json`);
  const remove = (keys: Iterable<string>) => {
    for (const key of keys) {
      const path = entryPath(key);
      if (path) removeQuietly(path);
    }
  };
  return {
    claim(path, keys) {
      const used = readRecord(usesPath(path)).keys;
      if (used.length === keys.length && used.every((key) => keys.includes(key))) return;
      remove(used.filter((key) => !keys.includes(key)));
      writeAtomically(usesPath(path), JSON.stringify({ path, keys }));
      sweep(dir, remove);
    },
    release(path, keys) {
      remove(new Set([...readRecord(usesPath(path)).keys, ...keys]));
      removeQuietly(usesPath(path));
      sweep(dir, remove);
    },
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
      if (path) writeAtomically(path, JSON.stringify({ value }));
    },
  };
}

/** A `paths/` file: the manifest path and the keys it uses; none if it is missing or corrupt. */
function readRecord(file: string): { path: string | null; keys: string[] } {
  try {
    const { path, keys } = JSON.parse(readFileSync(file, 'utf8')) as { path?: unknown; keys?: unknown };
    return {
      path: typeof path === 'string' ? path : null,
      keys: Array.isArray(keys) ? keys.filter((key): key is string => typeof key === 'string' && KEY.test(key)) : [],
    };
  } catch {
    return { path: null, keys: [] };
  }
}

/** Entries younger than this may belong to a load still in progress (set before it claims them). */
const ORPHAN_AGE_MS = 60_000;

/**
 * Run when a file's entries changed: removes what no present manifest
 * uses, the entries of manifests deleted since, and entries no record
 * names (a load that failed midway, an older hxe) once a minute old.
 */
function sweep(dir: string, remove: (keys: Iterable<string>) => void): void {
  const used = new Set<string>();
  for (const name of listQuietly(join(dir, 'paths'))) {
    const file = join(dir, 'paths', name);
    const record = readRecord(file);
    if (record.path !== null && !existsSync(record.path)) {
      remove(record.keys);
      removeQuietly(file);
    } else {
      for (const key of record.keys) used.add(key);
    }
  }
  const now = Date.now();
  for (const name of listQuietly(dir)) {
    const key = name.slice(0, -'.json'.length);
    if (!name.endsWith('.json') || !KEY.test(key) || used.has(key)) continue;
    const modified = statSync(join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? now;
    if (now - modified > ORPHAN_AGE_MS) remove([key]);
  }
}

function listQuietly(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Writes through a temporary file renamed into place (0600, in a 0700 directory); failures are ignored. */
function writeAtomically(path: string, text: string): void {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(temp, text, { mode: 0o600 });
    renameSync(temp, path);
  } catch {
    removeQuietly(temp);
  }
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Nothing more to do: a stray temp file is harmless.
  }
}
