/**
 * `user` / `group` of a service → the uid / gid to run it with, from
 * /etc/passwd and /etc/group (numeric ids are accepted as they are). Users
 * only in NSS sources such as LDAP are not found: name them by number.
 */
import { readFileSync } from 'node:fs';

/** What to pass to spawn; both undefined: run as the agent. */
export interface Identity {
  uid?: number;
  gid?: number;
}

/** Where ids come from; tests pass their own. */
export interface IdentitySource {
  /** Effective uid of the agent. */
  agentUid: number;
  /** Contents of /etc/passwd and /etc/group. */
  passwd: () => string;
  group: () => string;
}

/** The agent's own uid and the system's files. */
export function systemIdentitySource(): IdentitySource {
  return {
    agentUid: process.geteuid?.() ?? process.getuid?.() ?? -1,
    passwd: () => readOptional('/etc/passwd'),
    group: () => readOptional('/etc/group'),
  };
}

function readOptional(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

const NAME_FIELD = 0;
const ID_FIELD = 2;

/** Fields of the first line of /etc/passwd or /etc/group whose `field` is `value`. */
function findEntry(text: string, field: number, value: string): string[] | null {
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields.length >= 4 && fields[field] === value) return fields;
  }
  return null;
}

function isNumericId(value: string): boolean {
  return /^\d+$/.test(value);
}

/**
 * Resolves a service's `user` and `group`. With a user and no group, the
 * user's primary group is used (as systemd and supervisord do).
 * Throws when a name is unknown, or when switching needs root and the
 * agent is not root. Asking for the agent's own uid needs no root.
 */
export function resolveIdentity(
  user: string | null,
  group: string | null,
  source: IdentitySource = systemIdentitySource(),
): Identity {
  const identity: Identity = {};
  if (user !== null) Object.assign(identity, resolveUser(user, source.passwd));
  if (group !== null) identity.gid = resolveGroup(group, source.group);
  // Never run as a user with the agent's (root) group left in place.
  if (identity.uid !== undefined && identity.gid === undefined) {
    throw new Error(`user "${user}" has no /etc/passwd entry: set group too`);
  }
  if (identity.uid === undefined && identity.gid === undefined) return identity;
  if (source.agentUid === 0) return identity;
  if (user !== null && identity.uid === source.agentUid && group === null) return {};
  const what = user !== null ? `user "${user}"` : `group "${group}"`;
  throw new Error(`${what} needs the agent to run as root`);
}

function resolveUser(user: string, passwd: () => string): Identity {
  const text = passwd();
  const entry = findEntry(text, NAME_FIELD, user) ?? (isNumericId(user) ? findEntry(text, ID_FIELD, user) : null);
  if (entry) return { uid: Number(entry[2]), gid: Number(entry[3]) };
  if (isNumericId(user)) return { uid: Number(user) };
  throw new Error(`user "${user}" does not exist`);
}

function resolveGroup(group: string, groups: () => string): number {
  const entry = findEntry(groups(), NAME_FIELD, group);
  if (entry) return Number(entry[2]);
  if (isNumericId(group)) return Number(group);
  throw new Error(`group "${group}" does not exist`);
}
