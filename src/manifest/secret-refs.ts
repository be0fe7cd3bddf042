/**
 * `secret:NAME` references in a service's environment. The agent stamps
 * each with the secret's version when it stores the spec
 * (`secret:NAME@VERSION`): a changed secret is then a changed spec, which
 * `diff` shows and `apply` rolls out, while the value itself stays out of
 * the spec.
 */
import { ManifestError } from '../core/errors.js';
import type { DesiredService } from '../core/types.js';

/** Secret names: as environment variable names, plus `-` and `.`. */
export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;
const SECRET_REF = /^secret:([A-Za-z_][A-Za-z0-9_.-]{0,127})(?:@([0-9a-f]{1,64}))?$/;

/** The secret a value refers to, or null for any other value. */
export function secretRef(value: string): { name: string; version: string | null } | null {
  const match = SECRET_REF.exec(value);
  return match ? { name: match[1], version: match[2] ?? null } : null;
}

/** The problem of a value that starts with `secret:` but is no reference, else null. */
export function secretRefProblem(value: string): string | null {
  if (!value.startsWith('secret:') || SECRET_REF.test(value)) return null;
  return `expected secret:NAME with a secret name (letters, digits, "_", "-", "."), got ${JSON.stringify(value)}`;
}

/**
 * The services with every reference stamped with the current version.
 * Throws ManifestError (file, line, service, variable and secret; never a
 * value) when a referenced secret is not set.
 */
export function stampSecrets(services: DesiredService[], versionOf: (name: string) => string | undefined): DesiredService[] {
  return services.map((service) => {
    let changed = false;
    const environment: Record<string, string> = {};
    for (const [variable, value] of Object.entries(service.spec.environment)) {
      const ref = secretRef(value);
      if (!ref) {
        environment[variable] = value;
        continue;
      }
      const version = versionOf(ref.name);
      if (version === undefined) {
        throw new ManifestError([{
          file: service.file, line: service.line, service: service.name, path: `environment.${variable}`,
          message: `secret:${ref.name} is not set (hxe secret set ${ref.name})`,
        }]);
      }
      environment[variable] = `secret:${ref.name}@${version}`;
      changed ||= environment[variable] !== value;
    }
    return changed ? { ...service, spec: { ...service.spec, environment } } : service;
  });
}
