/**
 * The one short name of a home (HXE_HOME), used wherever hxe must tell its
 * own things from another home's on a shared host: its cgroups and the
 * marker in its services' environment.
 */
import { createHash } from 'node:crypto';

const HOME_ID_CHARS = 12;

/** The first 12 hex digits of sha256(home): fixed length, and the same home always gets the same id. */
export function homeId(home: string): string {
  return createHash('sha256').update(home).digest('hex').slice(0, HOME_ID_CHARS);
}
