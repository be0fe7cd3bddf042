import { constants } from 'node:os';

/**
 * Normalises a signal name to its `SIG`-prefixed upper-case form (`TERM`,
 * `sigterm` and `SIGTERM` all give `SIGTERM`).
 * @throws Error when Node knows no such signal on this platform.
 */
export function normaliseSignal(name: string): string {
  const upper = name.trim().toUpperCase();
  const full = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  if (!Object.hasOwn(constants.signals, full)) {
    throw new Error(`expected a signal name such as "SIGTERM", "TERM" or "SIGINT", got ${JSON.stringify(name)}`);
  }
  return full;
}
