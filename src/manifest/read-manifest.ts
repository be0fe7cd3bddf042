/**
 * One manifest file → its declared services (with their lines), or the
 * issues that stop it from being read at all.
 */
import { readFile } from 'node:fs/promises';
import type { ManifestIssue } from '../core/errors.js';
import { describeFsError, MAX_MANIFEST_BYTES, tooLargeMessage, type ManifestFile } from './collect-files.js';
import type { ManifestSource } from './decode-service.js';
import { extractServices, type ExtractedService, type RawService } from './extract-services.js';
import { indexLines, keyLine, serviceLines } from './line-index.js';
import type { ParseCache } from './parse-cache.js';
import { parseDocument } from './parse-document.js';

export interface ReadManifest {
  /** False when the file could not be read or parsed: its services are unknown. */
  parsed: boolean;
  source: ManifestSource;
  services: ExtractedService[];
  issues: ManifestIssue[];
  /** The text read, when it was read and parsed. */
  text?: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads, parses and splits one file into services; never throws for a bad file. */
export async function readManifest(file: ManifestFile, cache?: ParseCache): Promise<ReadManifest> {
  const source: ManifestSource = { file: file.display, absolute: file.absolute, format: file.format, index: [] };
  const fail = (message: string): ReadManifest => ({
    parsed: false,
    source,
    services: [],
    issues: [{ file: file.display, line: null, service: null, path: '', message }],
  });
  let bytes: Buffer;
  try {
    bytes = await readFile(file.absolute);
  } catch (err) {
    return fail(describeFsError(err));
  }
  if (bytes.length > MAX_MANIFEST_BYTES) return fail(tooLargeMessage(bytes.length));
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return fail('not valid UTF-8 text');
  }
  const parsed = await parseDocument(file.format, text, file.display, cache);
  if (!parsed.ok) {
    return { parsed: false, source, services: [], issues: parsed.issues.map((issue) => ({ file: file.display, service: null, path: '', ...issue })) };
  }
  source.index = indexLines(text, file.format);
  const extracted = extractServices(parsed.document, file.format);
  const issues = extracted.issues.map((issue): ManifestIssue => ({
    file: file.display,
    line: keyLine(source.index, issue.path, 1),
    service: issue.service,
    path: '',
    message: issue.message,
  }));
  return { parsed: true, source, services: placeServices(extracted.services, source), issues, text };
}

/** Gives each declaration its line; the k-th declaration of a name gets the k-th line found for it. */
function placeServices(services: RawService[], source: ManifestSource): ExtractedService[] {
  const seen = new Map<string, number>();
  const linesByName = serviceLines(source.index);
  const placed = services.map((service) => {
    const lines = linesByName.get(service.name) ?? [];
    const k = seen.get(service.name) ?? 0;
    seen.set(service.name, k + 1);
    const line = lines[k] ?? lines[0] ?? null;
    const end = lines.find((other) => line !== null && other > line) ?? Infinity;
    return { ...service, line, end };
  });
  return placed.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
}
