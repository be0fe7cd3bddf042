/**
 * The manifest loader: paths → the desired services of one atomic set.
 * files → parse (cached) → split into services → decode with the schema →
 * rules over the set. Every issue of every file is collected before failing.
 */
import { ManifestError, type ManifestIssue } from '../core/errors.js';
import type { DesiredService } from '../core/types.js';
import { collectFiles, type ManifestFile } from './collect-files.js';
import { decodeService, type DecodedService } from './decode-service.js';
import type { ParseCache } from './parse-cache.js';
import { readManifest } from './read-manifest.js';
import { checkServiceSet } from './rules.js';

export type { ParseCache } from './parse-cache.js';

export interface LoadOptions {
  /** Descend into subdirectories of directories given (`-R`). */
  recursive?: boolean;
  /** Raw parse output by content hash: an unchanged HCL file skips hcl2json. */
  cache?: ParseCache;
}

export interface LoadResult {
  /** Sorted by name. */
  services: DesiredService[];
  /** Absolute paths of the files read, sorted. */
  files: string[];
}

/**
 * Reads files and directories (a directory = every `*.hcl` / `*.toml` in
 * it, subdirectories too when `recursive`), parses, decodes and checks them
 * as one set.
 * @returns every service with a complete, normalised spec; an empty set when
 *   the directories hold no manifest.
 * @throws ManifestError with all issues of the whole set (missing files,
 *   syntax errors, bad fields, duplicate names, unknown dependencies, cycles),
 *   sorted by file (in the order read) and line. Nothing else is thrown for
 *   bad input.
 */
export async function loadManifests(paths: string[], options: LoadOptions = {}): Promise<LoadResult> {
  const collected = await collectFiles(paths, options.recursive ?? false);
  const issues: ManifestIssue[] = [...collected.issues];
  const decoded: DecodedService[] = [];
  let complete = collected.issues.length === 0;
  // One file at a time: hcl2json's WASM bridge is a single shared instance.
  for (const file of collected.files) {
    const read = await readManifest(file, options.cache);
    if (!read.parsed) complete = false;
    issues.push(...read.issues);
    for (const declared of read.services) {
      const result = decodeService(declared, read.source);
      decoded.push(result.service);
      issues.push(...result.issues);
    }
  }
  issues.push(...checkServiceSet(decoded, complete));
  if (issues.length > 0) throw new ManifestError(sortIssues(issues, collected.files));
  return {
    services: decoded.map(toDesiredService).sort((a, b) => compare(a.name, b.name)),
    files: collected.files.map((file) => file.absolute).sort(compare),
  };
}

function toDesiredService(service: DecodedService): DesiredService {
  // A null spec implies an issue, and issues throw before this runs.
  return { name: service.name, spec: service.spec!, file: service.source.absolute, line: service.line };
}

/** By file in reading order (path problems first), then line; stable, so each file keeps its issues' order. */
function sortIssues(issues: ManifestIssue[], files: ManifestFile[]): ManifestIssue[] {
  const order = new Map(files.map((file, index) => [file.display, index]));
  const rank = (issue: ManifestIssue) => order.get(issue.file) ?? -1;
  return [...issues].sort((a, b) => rank(a) - rank(b) || (a.line ?? 0) - (b.line ?? 0));
}

/** Code-point order, independent of locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
