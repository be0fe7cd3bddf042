/**
 * What parsing one file gives: a plain JSON document, or the syntax errors
 * the parser reported (line when it said).
 */

export interface SyntaxIssue {
  line: number | null;
  message: string;
}

export type ParseOutcome =
  | { ok: true; document: Record<string, unknown> }
  | { ok: false; issues: SyntaxIssue[] };

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `object[key] = value` that stays an own property even for `__proto__` (a key users may write). */
export function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}
