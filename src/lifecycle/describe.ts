/** The words of the machine's status messages. */

const UNITS: [string, number][] = [['h', 3_600_000], ['m', 60_000], ['s', 1_000]];

/** A duration in ms, Go style: `0s`, `500ms`, `2s`, `1m30s`, `1.5s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1_000) return `${ms}ms`;
  let rest = ms;
  let text = '';
  for (const [unit, size] of UNITS) {
    const count = unit === 's' ? rest / size : Math.floor(rest / size);
    if (count > 0) text += `${count}${unit}`;
    rest -= Math.floor(count) * size;
  }
  return text;
}

/** How a process ended: `exited with code 1`, `killed by SIGKILL`. */
export function describeExit(code: number | null, signal: string | null): string {
  if (signal !== null) return `killed by ${signal}`;
  return code === null ? 'exited' : `exited with code ${code}`;
}

/** `1 time`, `3 times`. */
export function times(count: number): string {
  return count === 1 ? '1 time' : `${count} times`;
}
