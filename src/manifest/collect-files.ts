/**
 * The paths a user gave → the manifest files they mean: files as given,
 * directories expanded to their `*.hcl` / `*.toml` files (sorted; hidden
 * entries skipped; subdirectories only when recursive).
 */
import { realpath, readdir, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join, normalize, resolve } from 'node:path';
import type { ManifestIssue } from '../core/errors.js';
import { formatOf, type ManifestFormat } from './format.js';
import { ecosystemKindOf, type EcosystemKind } from './pm2/read-ecosystem.js';

/** Larger files are refused unread: a manifest of thousands of services is far smaller. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface ManifestFile {
  absolute: string;
  /** As the user gave it (a directory's files joined to it as given): how messages name it. */
  display: string;
  format: ManifestFormat;
  /** A PM2 ecosystem file (named on the command line, never found in a directory); `format` is then unused. */
  ecosystem?: EcosystemKind;
}

/** A path on disk, and as messages name it. */
interface Where {
  absolute: string;
  display: string;
}

interface Collected {
  files: ManifestFile[];
  issues: ManifestIssue[];
  /** Real paths seen, so that a file named twice (or through a link) is read once. */
  seen: Set<string>;
  /** Accept PM2 ecosystem files given by name. */
  ecosystem: boolean;
}

/** Expands `paths` into manifest files, in the order given; problems become issues, never exceptions. */
export async function collectFiles(
  paths: string[],
  recursive: boolean,
  options: { ecosystem?: boolean } = {},
): Promise<{ files: ManifestFile[]; issues: ManifestIssue[] }> {
  const collected: Collected = { files: [], issues: [], seen: new Set(), ecosystem: options.ecosystem ?? false };
  for (const path of paths) await collectPath({ absolute: resolve(path), display: displayPath(path) }, collected, recursive, true);
  return { files: collected.files, issues: collected.issues };
}

async function collectPath(where: Where, collected: Collected, recursive: boolean, given: boolean): Promise<void> {
  const { absolute, display } = where;
  const problem = (message: string) => collected.issues.push({ file: display, line: null, service: null, path: '', message });
  let stats: Stats;
  try {
    stats = await stat(absolute);
  } catch (err) {
    // Inside a directory, only what would be a manifest is worth a word (a dangling notes.txt link is not).
    if (given || formatOf(absolute) !== null) problem(describeFsError(err));
    return;
  }
  if (stats.isDirectory()) {
    if (given || recursive) await collectDirectory(where, collected, recursive);
    return;
  }
  const format = formatOf(absolute);
  const ecosystem = format === null && given && collected.ecosystem ? ecosystemKindOf(absolute) : null;
  if (format === null && ecosystem === null) {
    const pm2 = collected.ecosystem ? ', a PM2 ecosystem file (*.config.js, .json, .json5, .yaml)' : '';
    if (given) problem(`not a manifest: expected a .hcl or .toml file${pm2}, or a directory`);
    return;
  }
  if (!stats.isFile()) {
    problem('not a regular file (a FIFO, socket or device cannot be a manifest)');
    return;
  }
  if (stats.size > MAX_MANIFEST_BYTES) {
    problem(tooLargeMessage(stats.size));
    return;
  }
  const real = await realpath(absolute).catch(() => absolute);
  if (collected.seen.has(real)) return;
  collected.seen.add(real);
  collected.files.push({ absolute, display, format: format ?? 'toml', ...(ecosystem ? { ecosystem } : {}) });
}

async function collectDirectory(directory: Where, collected: Collected, recursive: boolean): Promise<void> {
  const real = await realpath(directory.absolute).catch(() => directory.absolute);
  // A directory link pointing to an ancestor would otherwise recurse forever.
  if (collected.seen.has(real)) return;
  collected.seen.add(real);
  let names: string[];
  try {
    names = (await readdir(directory.absolute)).sort();
  } catch (err) {
    collected.issues.push({ file: directory.display, line: null, service: null, path: '', message: describeFsError(err) });
    return;
  }
  for (const name of names) {
    if (name.startsWith('.')) continue;
    await collectPath({ absolute: join(directory.absolute, name), display: join(directory.display, name) }, collected, recursive, false);
  }
}

/**
 * A path as messages show it: as the user gave it, tidied (`./a//b.hcl` →
 * `a/b.hcl`). An absolute path stays absolute: made relative to the
 * working directory, `/srv/app/x.hcl` read from `/` would lose its `/`.
 */
export function displayPath(given: string): string {
  return normalize(given);
}

export function tooLargeMessage(size: number): string {
  return `file is ${size} bytes, manifests larger than ${MAX_MANIFEST_BYTES / 1024 / 1024} MiB are refused`;
}

/** A file system error as a short message, without the path (the issue names the file). */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENOTDIR':
      return 'a component of the path is not a directory';
    default:
      return `cannot read: ${err instanceof Error ? err.message : String(err)}`;
  }
}
