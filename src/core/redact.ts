import type { ServiceSpec } from './types.js';

export const REDACTED = '(redacted)';

/** A copy of the spec whose secret values (every `environment` value) read `(redacted)`. */
export function redactSpec(spec: ServiceSpec): ServiceSpec {
  const environment = Object.fromEntries(Object.keys(spec.environment).map((key) => [key, REDACTED]));
  return { ...spec, environment };
}

/** True for a field path that holds a secret value. */
export function isSecretPath(path: string): boolean {
  return path === 'environment' || path.startsWith('environment.');
}
