import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { displayPath } from '../../src/manifest/collect-files.js';
import { formatManifestIssue, ManifestError } from '../../src/core/errors.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/manifests/', import.meta.url));

/** A fresh directory under the OS temp dir, removed after `use`. */
export async function withTempDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'hxe-manifest-'));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes `files` (relative path → content) under `dir`. */
export async function writeFiles(dir: string, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), content);
  }
}

/** The ManifestError `promise` rejects with (fails the test otherwise). */
export async function manifestError(promise: Promise<unknown>): Promise<ManifestError> {
  const outcome = await promise.then(
    () => new Error('expected a ManifestError, but loading succeeded'),
    (err: unknown) => err,
  );
  if (outcome instanceof ManifestError) return outcome;
  throw outcome;
}

/** The error's lines with the directory `base` (as messages show it) removed, for stable expectations. */
export function issueLines(error: ManifestError, base: string): string[] {
  const prefix = `${displayPath(base)}/`;
  return error.issues.map((issue) => formatManifestIssue(issue).split(prefix).join(''));
}
