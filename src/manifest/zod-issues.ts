/**
 * zod's issues → hxe's messages: "expected X, got Y", never zod's wording,
 * and one "unknown field" per key with a suggestion.
 */
import type { z } from 'zod';
import { describeValue } from './describe-value.js';
import type { BodyIssue } from './prepare-body.js';
import { FIELDS_BY_BLOCK } from './schema.js';
import { suggestionSuffix } from './suggest.js';

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'a block/table',
  record: 'a map',
};

/** The error map passed to every parse: schema-level messages win over it. */
export function errorMap(issue: z.core.$ZodRawIssue): string | undefined {
  const got = issue.input === undefined ? null : describeValue(issue.input);
  const say = (what: string) => (got === null ? `missing, expected ${what}` : `expected ${what}, got ${got}`);
  switch (issue.code) {
    case 'invalid_type':
      return say(TYPE_NAMES[issue.expected] ?? issue.expected);
    case 'invalid_value':
      return say(`one of ${issue.values.map(String).join(', ')}`);
    case 'too_small':
      return say(`${issue.inclusive === false ? 'more than' : 'at least'} ${String(issue.minimum)}`);
    case 'too_big':
      return say(`${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}`);
    default:
      return undefined;
  }
}

/** Issues of a failed parse as body issues; unknown keys are split into one issue each, with "did you mean". */
export function toBodyIssues(issues: readonly z.core.$ZodIssue[]): BodyIssue[] {
  return issues.flatMap((issue): BodyIssue[] => {
    const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
    if (issue.code !== 'unrecognized_keys') return [{ path, message: issue.message }];
    const known = FIELDS_BY_BLOCK[path.join('.')] ?? [];
    return issue.keys.map((key) => ({ path: [...path, key], message: `unknown field${suggestionSuffix(key, known)}` }));
  });
}
