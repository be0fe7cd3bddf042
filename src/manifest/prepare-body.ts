/**
 * One service's raw body (from either language) → the shape the schema
 * reads: HCL blocks unwrapped from hcl2json's one-element arrays, HCL
 * expressions refused, nulls (HCL's "unset") dropped, NULs refused.
 */
import type { ManifestFormat } from './format.js';
import { expressionMessage, readTemplate } from './hcl-template.js';
import { isPlainObject, setOwn } from './parse-outcome.js';
import { BLOCK_FIELDS } from './schema.js';

export type FieldPath = (string | number)[];

export interface BodyIssue {
  path: FieldPath;
  message: string;
}

/** The cleaned body, and what is wrong with it beyond what the schema checks. */
export function prepareBody(raw: unknown, format: ManifestFormat): { body: unknown; issues: BodyIssue[] } {
  const issues: BodyIssue[] = [];
  const body = clean(raw, [], format, issues);
  if (isPlainObject(body)) {
    for (const field of BLOCK_FIELDS) {
      if (field in body) setOwn(body, field, unwrapBlock(body[field], field, issues));
    }
  }
  return { body, issues };
}

/** `health_check { }` is `[{...}]` in hcl2json (and `[[...health_check]]` in TOML): one block is the object itself. */
function unwrapBlock(value: unknown, field: string, issues: BodyIssue[]): unknown {
  if (!Array.isArray(value) || value.length === 0 || !value.every(isPlainObject)) return value;
  if (value.length > 1) issues.push({ path: [field], message: `given ${value.length} times, expected one ${field} block` });
  return value[0];
}

function clean(value: unknown, path: FieldPath, format: ManifestFormat, issues: BodyIssue[]): unknown {
  if (typeof value === 'string') return cleanString(value, path, format, issues);
  if (Array.isArray(value)) return value.map((item, index) => clean(item, [...path, index], format, issues));
  if (!isPlainObject(value)) return value;
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === null) continue;
    if (key === '__proto__' || key.includes('\0')) {
      issues.push({ path: [...path, key], message: 'not a usable key' });
      continue;
    }
    if (format === 'hcl' && /[$%]\{/.test(key)) {
      const template = readTemplate(key);
      if (!template.ok) issues.push({ path: [...path, key], message: expressionMessage(template.expression) });
    }
    setOwn(result, key, clean(item, [...path, key], format, issues));
  }
  return result;
}

function cleanString(value: string, path: FieldPath, format: ManifestFormat, issues: BodyIssue[]): string {
  if (value.includes('\0')) issues.push({ path, message: 'contains a NUL character' });
  if (format !== 'hcl') return value;
  const template = readTemplate(value);
  if (template.ok) return template.value;
  issues.push({ path, message: expressionMessage(template.expression) });
  return value;
}
