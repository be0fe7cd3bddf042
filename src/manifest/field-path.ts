import type { FieldPath } from './prepare-body.js';

/** `health_check.type`, `tags[1]`, `environment.NODE_ENV`: a field path as messages show it. */
export function formatFieldPath(path: FieldPath): string {
  return path.reduce<string>((text, segment) => {
    if (typeof segment === 'number') return `${text}[${segment}]`;
    // Keys that would read as several segments (or none) are quoted.
    const key = /^[^.\s"]+$/.test(segment) ? segment : JSON.stringify(segment);
    return text === '' ? key : `${text}.${key}`;
  }, '');
}

/** The key segments of a path (list indices dropped), for finding its line. */
export function keySegments(path: FieldPath): string[] {
  return path.filter((segment): segment is string => typeof segment === 'string');
}
