import { execFile } from 'node:child_process';

/** The commit checked out in the Git work tree holding `dir`, or null when it is not in one (or git is missing). */
export function gitHead(dir: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', ['-C', dir, 'rev-parse', 'HEAD'], { timeout: 5_000 }, (error, stdout) => {
      resolve(error ? null : stdout.trim() || null);
    });
  });
}
