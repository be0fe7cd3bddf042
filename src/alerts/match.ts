/**
 * A rule's `services` filter: names or globs matched against an instance's
 * name and against its service's name, so that `web` covers `web-0` …
 * `web-N` and `web-1` picks one instance.
 */
import picomatch from 'picomatch';

/** The service an instance belongs to, when the engine is not told: `web-1` → `web`. */
export function guessService(instance: string): string {
  return instance.replace(/-\d+$/, '');
}

/**
 * A predicate for instance names; no patterns: every instance.
 * `serviceOf` names an instance's service (the agent knows it exactly).
 */
export function compileServiceFilter(patterns: readonly string[], serviceOf: (instance: string) => string): (instance: string) => boolean {
  if (patterns.length === 0) return () => true;
  const isMatch = picomatch([...patterns]);
  return (instance) => isMatch(instance) || isMatch(serviceOf(instance));
}
