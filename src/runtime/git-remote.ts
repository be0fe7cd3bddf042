/**
 * The Git operations of GitOps: clone a remote into a synced path, and bring
 * a checkout forward by fast-forward only (a checkout that diverged is
 * reported, never reset: local commits are somebody's work).
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { HxeError } from '../core/errors.js';

const GIT_TIMEOUT_MS = 120_000;

/** A URL as it may be shown: without a password or token in it. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@');
}

/** Runs git; rejects with git's own message (URLs redacted). Never prompts for credentials. */
export function git(args: string[], cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', args, {
      cwd, timeout: GIT_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true', LC_ALL: 'C' },
    }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout.trim());
      const said = (stderr || error.message).trim().split('\n').filter(Boolean).slice(-3).join('; ');
      reject(new HxeError('BAD_USAGE', `git ${args[0]}: ${redactUrl(said)}`));
    });
  });
}

/** True when `dir` is the top of a Git work tree. */
export async function isCheckout(dir: string): Promise<boolean> {
  try {
    return path.resolve(await git(['rev-parse', '--show-toplevel'], dir)) === path.resolve(dir);
  } catch {
    return false;
  }
}

export async function headCommit(dir: string): Promise<string> {
  return git(['rev-parse', 'HEAD'], dir);
}

/** The checked-out branch, or null on a detached HEAD. */
export async function currentBranch(dir: string): Promise<string | null> {
  return git(['symbolic-ref', '--quiet', '--short', 'HEAD'], dir).catch(() => null);
}

/**
 * Makes `dir` a checkout of `url` at `branch`: clones it when `dir` is
 * missing or empty; refuses a directory that holds anything else, or a
 * checkout of another remote. Returns true when it cloned.
 */
export async function ensureClone(dir: string, url: string, branch: string): Promise<boolean> {
  const entries = await fs.readdir(dir).catch(() => null);
  if (entries === null || entries.length === 0) {
    await fs.mkdir(path.dirname(dir), { recursive: true });
    await git(['clone', '--quiet', '--branch', branch, '--single-branch', '--', url, dir]);
    return true;
  }
  if (!(await isCheckout(dir))) throw new HxeError('BAD_USAGE', `${dir} is not empty and not a Git checkout: cannot clone ${redactUrl(url)} into it`);
  const origin = await git(['remote', 'get-url', 'origin'], dir).catch(() => '');
  if (origin !== url) throw new HxeError('BAD_USAGE', `${dir} is a checkout of ${redactUrl(origin) || 'no origin'}, not of ${redactUrl(url)}`);
  return false;
}

/** Fetches `branch` from origin and fast-forwards to it: the commits before and after. */
export async function fetchFastForward(dir: string, branch: string): Promise<{ before: string; after: string }> {
  const before = await headCommit(dir);
  await git(['fetch', '--quiet', 'origin', branch], dir);
  await git(['merge', '--ff-only', '--quiet', 'FETCH_HEAD'], dir);
  return { before, after: await headCommit(dir) };
}

/** `git pull --ff-only` in a checkout: the commits before and after. */
export async function pullFastForward(dir: string): Promise<{ before: string; after: string }> {
  const before = await headCommit(dir);
  await git(['pull', '--ff-only', '--quiet'], dir);
  return { before, after: await headCommit(dir) };
}
