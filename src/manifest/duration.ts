/**
 * Go-style durations (`500ms`, `10s`, `5m`, `1h30m`) in whole milliseconds,
 * the unit every timer of hxe works in.
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Node's timers fire at once past 2^31-1 ms, so no duration may exceed it. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

// `ms` must come before `m` so that "500ms" is not read as 500 minutes and "s".
const TERM = /^(\d+(?:\.\d*)?|\.\d+)(ms|h|m|s)/;

const EXAMPLES = '"500ms", "10s", "5m" or "1h30m"';

/**
 * Parses a Go-style duration into milliseconds (rounded to the nearest ms).
 * Accepts one or more number+unit terms (units `ms`, `s`, `m`, `h`; decimals
 * allowed) or a bare `0`.
 * @throws Error saying what was expected when the text is not such a duration
 *   or exceeds {@link MAX_DURATION_MS}.
 */
export function parseDuration(text: string): number {
  if (text === '0') return 0;
  if (text === '') throw new Error(durationMessage(text));
  let rest = text;
  let total = 0;
  while (rest !== '') {
    const term = TERM.exec(rest);
    if (!term) throw new Error(durationMessage(text));
    total += Number(term[1]) * UNIT_MS[term[2]];
    rest = rest.slice(term[0].length);
  }
  const ms = Math.round(total);
  if (ms > MAX_DURATION_MS) {
    throw new Error(`expected at most ${formatDuration(MAX_DURATION_MS)}, got ${JSON.stringify(text)}`);
  }
  return ms;
}

function durationMessage(text: string): string {
  const hint = /^\d+(\.\d+)?$/.test(text) ? ' (a unit is required)' : '';
  const units = /^\d+(\.\d+)?(ns|us|µs)$/.test(text) ? ' (the smallest unit is ms)' : '';
  return `expected a duration such as ${EXAMPLES}${hint}${units}, got ${JSON.stringify(text)}`;
}

/**
 * Formats milliseconds for display as the shortest duration
 * {@link parseDuration} reads back to the same value: `500ms`, `10s`,
 * `1h30m`, `1m30.5s`, `0s`.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return `${ms}ms`;
  if (ms < 1_000) return ms === 0 ? '0s' : `${ms}ms`;
  const hours = Math.floor(ms / UNIT_MS.h);
  const minutes = Math.floor((ms % UNIT_MS.h) / UNIT_MS.m);
  const seconds = (ms % UNIT_MS.m) / UNIT_MS.s;
  let text = '';
  if (hours) text += `${hours}h`;
  if (minutes) text += `${minutes}m`;
  if (seconds) text += `${seconds}s`;
  return text;
}
