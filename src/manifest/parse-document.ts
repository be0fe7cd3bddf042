/**
 * One file's text → its raw document, through the parse cache when given.
 */
import type { ManifestFormat } from './format.js';
import { parseCacheKey, type ParseCache } from './parse-cache.js';
import { parseHcl } from './parse-hcl.js';
import { isPlainObject, type ParseOutcome } from './parse-outcome.js';
import { parseToml } from './parse-toml.js';

/**
 * Parses `text` as `format`. A cache hit skips the parser entirely; only
 * successful parses are cached (errors are rare and cheap to redo).
 */
export async function parseDocument(
  format: ManifestFormat,
  text: string,
  displayName: string,
  cache?: ParseCache,
): Promise<ParseOutcome> {
  const key = cache ? parseCacheKey(format, text) : '';
  const cached = cache ? safely(() => cache.get(key)) : undefined;
  if (isPlainObject(cached)) return { ok: true, document: cached };
  const outcome = format === 'hcl' ? await parseHcl(text, displayName) : parseToml(text);
  if (cache && outcome.ok) safely(() => cache.set(key, outcome.document));
  return outcome;
}

/** A cache is an optimisation: one that throws must not fail a load. */
function safely<T>(action: () => T): T | undefined {
  try {
    return action();
  } catch {
    return undefined;
  }
}
