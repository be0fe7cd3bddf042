/**
 * Field schemas shared by the manifest schema: each decodes what the user
 * wrote into the normalised value hxe works with, with a message that says
 * what was expected.
 */
import { z } from 'zod';
import { errorMessage } from '../core/errors.js';
import { expected } from './describe-value.js';
import { parseDuration } from './duration.js';
import { parseCpu, parseMemory } from './quantity.js';
import { normaliseSignal } from './signal.js';
import { isPlainObject, setOwn } from './parse-outcome.js';

/**
 * For checks that must run even when other fields failed (zod skips them by
 * default), so that one apply reports everything; such checks must guard
 * the type of every value they read.
 */
export const ALWAYS = { when: () => true };

// For editors only (JSON Schema); the parsers are what decides.
const DURATION_PATTERN = String.raw`^(0|((\d+(\.\d*)?|\.\d+)(ms|s|m|h))+)$`;
const CPU_PATTERN = String.raw`^\d+(\.\d+)?m?$`;
const MEMORY_PATTERN = String.raw`^\d+(\.\d+)?([KMGTPE]i|[kKMGTPE])?$`;

/** `base` then `parse`, whose thrown message becomes the issue. */
function parsed<I, T>(base: z.ZodType<I>, parse: (value: I) => T) {
  return base.transform((value, ctx): T => {
    try {
      return parse(value);
    } catch (err) {
      ctx.issues.push({ code: 'custom', message: errorMessage(err), input: value });
      return z.NEVER;
    }
  });
}

/** zod calls a wrong type for z.int() "expected number"; say integer. Other issues fall through to errorMap. */
const integerError = (issue: z.core.$ZodRawIssue) => (issue.code === 'invalid_type' ? expected('an integer')(issue) : undefined);

/** An integer in [minimum, maximum]; `fallback` when absent. */
export function count(minimum: number, fallback: number, maximum = Number.MAX_SAFE_INTEGER) {
  return z.int({ error: integerError }).min(minimum).max(maximum).prefault(fallback);
}

/** A required non-empty string. */
export function text(what: string) {
  return z.string({ error: expected(what) }).min(1, { error: 'must not be empty' });
}

/** A Go-style duration decoded to ms; `fallback` (as written) when absent. */
export function duration(fallback: string, minimum: 'zero' | 'positive' = 'zero') {
  const what = minimum === 'positive' ? 'a duration above 0 such as "10s"' : 'a duration such as "10s"';
  return parsed(z.string({ error: expected(what) }), (value) => {
    const ms = parseDuration(value);
    if (minimum === 'positive' && ms === 0) throw new Error(`expected ${what}, got ${JSON.stringify(value)}`);
    return ms;
  })
    .prefault(fallback)
    .meta({ description: `Duration (ms, s, m, h), e.g. "${fallback}".`, pattern: DURATION_PATTERN });
}

const quantityInput = (what: string) => z.union([z.string(), z.number()], { error: expected(what) });

/** CPU quantity (`500m`, `1`, `1.5`) decoded to millicores. */
export const cpu = parsed(quantityInput('a CPU quantity such as "500m" or "1.5"'), parseCpu).meta({
  description: 'CPU quantity: "500m" (millicores), "1", "1.5" (cores).',
  pattern: CPU_PATTERN,
});

/** Memory quantity (`512Mi`, `1Gi`, `1G`, `1000`) decoded to bytes. */
export const memory = parsed(quantityInput('a memory quantity such as "512Mi"'), parseMemory).meta({
  description: 'Memory quantity: "512Mi", "1Gi" (powers of 1024), "1G" (powers of 1000), or bytes.',
  pattern: MEMORY_PATTERN,
});

/** A signal name, `TERM` or `SIGTERM`, normalised to `SIGTERM`. */
export const signal = parsed(z.string({ error: expected('a signal name such as "SIGTERM"') }), normaliseSignal);

/** A file system path; relative ones are resolved later against the manifest's directory. */
export const path = parsed(text('a path'), (value) => {
  // Nothing here runs a shell, so `~` would silently name a directory called "~".
  if (value.startsWith('~')) throw new Error(`"~" is not expanded, write an absolute or relative path, got ${JSON.stringify(value)}`);
  return value;
});

const scalar = z
  .union([z.string(), z.number(), z.boolean()], { error: expected('a string (numbers and booleans are converted)') })
  .transform(String);

/**
 * A map of string values (numbers and booleans converted), keys sorted so
 * that HCL (sorted by hcl2json) and TOML (document order) decode alike.
 * `check` returns why an entry is wrong, or null.
 */
export function stringMap(check: (key: string, value: string) => { key: boolean; message: string } | null) {
  return z
    .record(z.string(), scalar, { error: expected('a map of names to strings') })
    .superRefine((map: unknown, ctx) => {
      if (!isPlainObject(map)) return;
      for (const [key, value] of Object.entries(map)) {
        // Runs even when a value failed (ALWAYS): check keys of every entry, values of the decoded ones.
        const problem = check(key, typeof value === 'string' ? value : '');
        if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem.message, input: problem.key ? key : value });
      }
    }, ALWAYS)
    .transform(sortKeys);
}

function sortKeys(map: Record<string, string>): Record<string, string> {
  const sorted: Record<string, string> = {};
  for (const key of Object.keys(map).sort()) setOwn(sorted, key, map[key]);
  return sorted;
}

/** A list of strings (`item` as in "a tag"); `unique` refuses an entry listed twice. */
export function stringList(item: string, unique = false) {
  return z.array(text(item), { error: expected(`a list of strings (${item.replace(/^an? /, '')}s)`) }).superRefine((list: unknown, ctx) => {
    if (!unique || !Array.isArray(list)) return;
    list.forEach((item, index) => {
      if (list.indexOf(item) !== index) ctx.addIssue({ code: 'custom', path: [index], message: `${JSON.stringify(item)} is listed twice`, input: item });
    });
  });
}
