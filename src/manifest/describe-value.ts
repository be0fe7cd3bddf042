/**
 * How a value the user wrote is shown after "got" in a message.
 */

const MAX_SHOWN = 60;

/** `"htp"`, `3`, `true`, `a list`, `a block/table`, `nothing`. */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return 'nothing';
  if (typeof value === 'string') {
    const shown = JSON.stringify(value);
    return shown.length > MAX_SHOWN ? `${shown.slice(0, MAX_SHOWN - 4)}..."` : shown;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  return 'a block/table';
}

/**
 * An `error` function for a zod schema: `expected WHAT, got VALUE`, or
 * `missing (expected WHAT)` when the field is absent.
 */
export function expected(what: string): (issue: { input?: unknown }) => string {
  return (issue) =>
    issue.input === undefined ? `missing, expected ${what}` : `expected ${what}, got ${describeValue(issue.input)}`;
}
