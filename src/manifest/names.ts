/**
 * Service names are DNS-1123 labels: they become file names (logs) and
 * instance names, so they must never reach outside the directory they name.
 */

export const MAX_NAME_LENGTH = 63;

/** The one pattern of service and instance names (length checked apart: MAX_NAME_LENGTH). */
export const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Why `name` is not a valid service name, or null when it is. */
export function nameProblem(name: string): string | null {
  if (DNS_1123_LABEL.test(name) && name.length <= MAX_NAME_LENGTH) return null;
  const rule = 'a name is lowercase letters, digits and "-", starting and ending with a letter or digit';
  if (name === '') return 'invalid name: must not be empty';
  if (name.length > MAX_NAME_LENGTH) {
    return `invalid name: ${name.length} characters, expected at most ${MAX_NAME_LENGTH}`;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return `invalid name: contains a control character (${rule})`;
  if (/[/\\]|\.\./.test(name) || name.includes('.')) {
    return `invalid name: must not contain "/", "\\" or "." since names are used in paths (${rule})`;
  }
  if (/[A-Z]/.test(name)) return `invalid name: contains upper-case letters (${rule})`;
  if (/^-|-$/.test(name)) return `invalid name: must start and end with a letter or digit (${rule})`;
  const bad = [...name].find((char) => !/[-a-z0-9]/.test(char));
  return `invalid name: contains ${JSON.stringify(bad)} (${rule})`;
}

/** The name as it may be shown inside quotes in a message: control characters escaped. */
export function printableName(name: string): string {
  return JSON.stringify(name).slice(1, -1);
}
