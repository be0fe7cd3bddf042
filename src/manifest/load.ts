/**
 * The manifest loader: paths → the desired services of one atomic set.
 * files → parse (cached) → split into services → decode with the schema →
 * rules over the set. Every issue of every file is collected before failing.
 */
import { readFile } from 'node:fs/promises';
import { ManifestError, type ManifestIssue } from '../core/errors.js';
import type { DesiredService } from '../core/types.js';
import { collectFiles, type ManifestFile } from './collect-files.js';
import type { DecodedService } from './decode-service.js';
import { cacheKeysOf, decodedCacheKey, readDecoded, settleCache, writeDecoded } from './decoded-cache.js';
import type { ParseCache } from './parse-cache.js';
import { readManifest } from './read-manifest.js';
import { checkServiceSet } from './rules.js';

export type { ParseCache } from './parse-cache.js';

export interface LoadOptions {
  /** Descend into subdirectories of directories given (`-R`). */
  recursive?: boolean;
  /**
   * By content hash: raw parse output (an unchanged HCL file skips
   * hcl2json) and the decoded services of files without issues (an
   * unchanged file skips the schema, and so never loads zod).
   */
  cache?: ParseCache;
  /** PM2 ecosystem files: `--env NAME` applies env_NAME over env. */
  pm2Env?: string;
}

export interface LoadResult {
  /** Sorted by name. */
  services: DesiredService[];
  /** Absolute paths of the files read, sorted. */
  files: string[];
  /** What PM2 ecosystem files said that hxe does not map (one line each, naming file and app). */
  warnings: string[];
}

/**
 * Reads files and directories (a directory = every `*.hcl` / `*.toml` in
 * it, subdirectories too when `recursive`; PM2 ecosystem files when named
 * themselves), parses, decodes and checks them
 * as one set.
 * @returns every service with a complete, normalised spec; an empty set when
 *   the directories hold no manifest.
 * @throws ManifestError with all issues of the whole set (missing files,
 *   syntax errors, bad fields, duplicate names, unknown dependencies, cycles),
 *   sorted by file (in the order read) and line. Nothing else is thrown for
 *   bad input.
 */
export async function loadManifests(paths: string[], options: LoadOptions = {}): Promise<LoadResult> {
  return load(paths, options, true);
}

async function load(paths: string[], options: LoadOptions, useDecoded: boolean): Promise<LoadResult> {
  const collected = await collectFiles(paths, options.recursive ?? false, { ecosystem: true });
  const issues: ManifestIssue[] = [...collected.issues];
  const warnings: string[] = [];
  const decoded: DecodedService[] = [];
  let complete = collected.issues.length === 0;
  let fromCache = false;
  const cacheKeys = new Map<string, string[]>();
  // One file at a time: hcl2json's WASM bridge is a single shared instance.
  for (const file of collected.files) {
    if (file.ecosystem) {
      const { loadEcosystem } = await import('./pm2/load-ecosystem.js');
      const ecosystem = await loadEcosystem(file, file.ecosystem, { envName: options.pm2Env });
      decoded.push(...ecosystem.services);
      issues.push(...ecosystem.issues);
      warnings.push(...ecosystem.warnings);
      complete &&= ecosystem.complete;
      continue;
    }
    const known = useDecoded ? await readDecodedFile(file, options.cache) : null;
    if (known) {
      decoded.push(...known.services);
      cacheKeys.set(file.absolute, cacheKeysOf(file, known.text));
      fromCache = true;
      continue;
    }
    const read = await readManifest(file, options.cache);
    cacheKeys.set(file.absolute, read.text === undefined ? [] : cacheKeysOf(file, read.text));
    if (!read.parsed) complete = false;
    issues.push(...read.issues);
    const { decodeService } = await import('./decode-service.js');
    const results = read.services.map((declared) => decodeService(declared, read.source));
    for (const result of results) {
      decoded.push(result.service);
      issues.push(...result.issues);
    }
    if (read.parsed && read.issues.length === 0 && results.every((r) => r.issues.length === 0) && read.text !== undefined) {
      writeDecoded(options.cache, decodedCacheKey(file.absolute, read.text), results.map((r) => r.service));
    }
  }
  const setIssues = checkServiceSet(decoded, complete);
  // A cached service knows its own line only: read everything again for the exact lines of each issue.
  if (setIssues.length > 0 && fromCache) return load(paths, options, false);
  issues.push(...setIssues);
  const rejected = new Set(collected.files.filter((file) => issues.some((issue) => issue.file === file.display)).map((file) => file.absolute));
  settleCache(options.cache, cacheKeys, rejected);
  if (issues.length > 0) throw new ManifestError(sortIssues(issues, collected.files));
  return {
    services: decoded.map(toDesiredService).sort((a, b) => compare(a.name, b.name)),
    files: collected.files.map((file) => file.absolute).sort(compare),
    warnings,
  };
}

/** The decoded services of an unchanged file and its text, or null (not cached, unreadable, or a cache miss). */
async function readDecodedFile(file: ManifestFile, cache: ParseCache | undefined): Promise<{ services: DecodedService[]; text: string } | null> {
  if (!cache) return null;
  const text = await readFile(file.absolute, 'utf8').catch(() => null);
  if (text === null) return null;
  const services = readDecoded(cache, decodedCacheKey(file.absolute, text), file);
  return services ? { services, text } : null;
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
