/** The words of the machine's status messages. */

/** How a process ended: `exited with code 1`, `killed by SIGKILL`. */
export function describeExit(code: number | null, signal: string | null): string {
  if (signal !== null) return `killed by ${signal}`;
  return code === null ? 'exited' : `exited with code ${code}`;
}

/** `1 time`, `3 times`. */
export function times(count: number): string {
  return count === 1 ? '1 time' : `${count} times`;
}
