/**
 * TOML → plain JSON via smol-toml. The result is made JSON-safe so that a
 * cached parse and a fresh one decode the same way.
 */
import { parse, TomlError } from 'smol-toml';
import { documentNestingIssue } from './nesting.js';
import { isPlainObject, setOwn, type ParseOutcome } from './parse-outcome.js';

/** Parses TOML text into a plain, JSON-safe document. */
export function parseToml(text: string): ParseOutcome {
  try {
    const parsed = parse(text);
    // Dotted keys nest without limit; the walks after this one recurse.
    const tooDeep = documentNestingIssue(parsed);
    if (tooDeep) return { ok: false, issues: [tooDeep] };
    const document = toPlain(parsed);
    return isPlainObject(document) ? { ok: true, document } : { ok: false, issues: [{ line: null, message: 'not a TOML table' }] };
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    // The first line says what; the rest is an excerpt with a caret, noise in a one-line issue.
    const what = err.message.split('\n')[0].replace(/^Invalid TOML document: /, '');
    return { ok: false, issues: [{ line: err.line ?? null, message: `invalid TOML: ${what}` }] };
  }
}

/**
 * Dates have no JSON form and no field takes one: they become their TOML
 * text, so a misplaced date fails as a wrong string (e.g. not a duration).
 * Non-finite floats become "nan"/"inf" for the same reason.
 */
function toPlain(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value).toLowerCase().replace('infinity', 'inf');
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === 'object' && value !== null) {
    const plain: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) setOwn(plain, key, toPlain(item));
    return plain;
  }
  return value;
}
