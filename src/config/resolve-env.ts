/** A value that names an environment variable: `env:SMTP_PASSWORD`. */
const ENV_REF = /^env:([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * Replaces every `env:VAR` string in a configuration document by the
 * variable's value; a variable that is not set is reported (by key path),
 * never replaced by an empty string.
 */
export function resolveEnvRefs(value: unknown, env: NodeJS.ProcessEnv, missing: { path: string[]; name: string }[], path: string[] = []): unknown {
  if (typeof value === 'string') {
    const match = ENV_REF.exec(value);
    if (!match) return value;
    const resolved = env[match[1]];
    if (resolved === undefined) missing.push({ path, name: match[1] });
    return resolved ?? value;
  }
  // hcl2json gives each block as a list of one: its index is no part of the field's name.
  if (Array.isArray(value) && value.length === 1 && value[0] && typeof value[0] === 'object') return [resolveEnvRefs(value[0], env, missing, path)];
  if (Array.isArray(value)) return value.map((item, index) => resolveEnvRefs(item, env, missing, [...path, String(index)]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolveEnvRefs(item, env, missing, [...path, key])]));
  }
  return value;
}
