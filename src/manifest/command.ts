import { split } from 'shlex';

/**
 * Splits a command line into arguments by POSIX shell quoting rules (single
 * and double quotes, backslash escapes), as supervisord and Python's shlex do.
 * Nothing is expanded: `$HOME` and `*` stay as written.
 * @throws Error naming the problem when a quote or escape is left open.
 */
export function splitCommand(command: string): string[] {
  try {
    return split(command);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const what = /escape/.test(reason) ? 'a trailing backslash escapes nothing' : 'unbalanced quotes';
    throw new Error(`cannot split into arguments: ${what} in ${JSON.stringify(command)}`, { cause: err });
  }
}

/** Why `command` cannot be run as a program with arguments, or null when it can. */
export function commandProblem(command: string): string | null {
  try {
    return splitCommand(command).length === 0 ? `expected a program to run, got ${JSON.stringify(command)}` : null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
