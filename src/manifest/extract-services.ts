/**
 * A parsed document → its service bodies. HCL gives
 * `{ service: { web: [body] }, services: [{ service: {...} }] }` (every block
 * an array, both forms mixable); TOML gives `{ service: { web: body } }`.
 * Both become one flat list, duplicates kept for the rules to report.
 */
import type { ManifestFormat } from './format.js';
import { isPlainObject } from './parse-outcome.js';
import { AGENT_BLOCKS } from './agent-blocks.js';
import { suggestionSuffix } from './suggest.js';

export interface RawService {
  name: string;
  body: unknown;
}

/** A service as declared in a file: where, and up to which line its fields may be. */
export interface ExtractedService extends RawService {
  line: number | null;
  /** The next declaration of the same name in the file (exclusive), or Infinity. */
  end: number;
}

export interface DocumentIssue {
  /** Key path from the top of the document, for finding the line. */
  path: string[];
  service: string | null;
  message: string;
}

/** Every service body of a document, and what is wrong with the document's shape. */
export function extractServices(
  document: Record<string, unknown>,
  format: ManifestFormat,
): { services: RawService[]; issues: DocumentIssue[] } {
  const services: RawService[] = [];
  const issues: DocumentIssue[] = [];
  const topLevel = format === 'hcl' ? ['service', 'services'] : ['service'];
  for (const [key, value] of Object.entries(document)) {
    if (key === 'service') collectServiceMap(value, format, services, issues);
    else if (key === 'services' && format === 'hcl') collectServicesBlocks(value, services, issues);
    else if (!AGENT_BLOCKS.includes(key)) {
      issues.push({ path: [key], service: null, message: `unknown top-level key "${key}", expected ${topLevel.join(' or ')}${suggestionSuffix(key, topLevel)}` });
    }
  }
  return { services, issues };
}

function collectServicesBlocks(value: unknown, services: RawService[], issues: DocumentIssue[]): void {
  const blocks = Array.isArray(value) ? value : [value];
  for (const block of blocks) {
    if (!isPlainObject(block)) {
      issues.push({ path: ['services'], service: null, message: 'expected a block: services { service "NAME" { ... } }' });
      continue;
    }
    for (const [key, inner] of Object.entries(block)) {
      if (key === 'service') collectServiceMap(inner, 'hcl', services, issues);
      else issues.push({ path: [key], service: null, message: `unknown key "${key}" in services, expected service blocks${suggestionSuffix(key, ['service'])}` });
    }
  }
}

function collectServiceMap(value: unknown, format: ManifestFormat, services: RawService[], issues: DocumentIssue[]): void {
  const shape = format === 'hcl' ? 'service "NAME" { ... } blocks' : '[service.NAME] tables';
  if (!isPlainObject(value)) {
    issues.push({ path: ['service'], service: null, message: `expected ${shape}` });
    return;
  }
  for (const [name, bodies] of Object.entries(value)) {
    // HCL blocks (and TOML [[service.x]] arrays of tables) are lists: each element is one declaration.
    const list = Array.isArray(bodies) && bodies.length > 0 && bodies.every(isPlainObject) ? bodies : [bodies];
    for (const body of list) services.push({ name, body });
  }
}
