/**
 * Finds source lines for messages. Neither hcl2json nor smol-toml reports
 * where a value came from, so we scan the text for key and block lines and
 * record the full key path of each (`service.web.health_check.type`).
 * A heuristic, not a parser: it only ever chooses which line to show.
 */
import type { ManifestFormat } from './format.js';

export interface KeyLine {
  line: number;
  /** Full key path: `['service', 'web', 'health_check', 'type']` (the HCL `services` wrapper dropped). */
  path: string[];
  /** A block opener (HCL) or table header (TOML), as opposed to an attribute. */
  header: boolean;
}

/** Indexes every key, block and table line of a manifest's text. */
export function indexLines(text: string, format: ManifestFormat): KeyLine[] {
  return format === 'hcl' ? indexHcl(text) : indexToml(text);
}

/**
 * Lines where each service is declared, in source order (several when
 * declared twice): its `service "name" {` / `[service.name]` lines, else the
 * first line of a key under it (TOML dotted keys, inline tables).
 */
export function serviceLines(index: KeyLine[]): Map<string, number[]> {
  const headers = new Map<string, number[]>();
  const firstKey = new Map<string, number>();
  for (const entry of index) {
    if (entry.path[0] !== 'service' || entry.path.length < 2) continue;
    const name = entry.path[1];
    if (entry.header && entry.path.length === 2) headers.set(name, [...(headers.get(name) ?? []), entry.line]);
    if (!firstKey.has(name)) firstKey.set(name, entry.line);
  }
  for (const [name, line] of firstKey) if (!headers.has(name)) headers.set(name, [line]);
  return headers;
}

/**
 * The line that best matches `target` (the longest common key-path prefix,
 * earliest on ties) among lines in [from, to), or null when fewer than
 * `minPrefix` segments match.
 */
export function keyLine(index: KeyLine[], target: string[], minPrefix: number, from = 1, to = Infinity): number | null {
  let best: number | null = null;
  let bestLength = minPrefix - 1;
  for (const entry of index) {
    if (entry.line < from || entry.line >= to) continue;
    const length = commonPrefix(entry.path, target);
    if (length > bestLength) {
      best = entry.line;
      bestLength = length;
    }
  }
  return best;
}

function commonPrefix(a: string[], b: string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

const HCL_STRING = String.raw`"(?:[^"\\]|\\.)*"`;
const HCL_IDENT = String.raw`[A-Za-z_][\w-]*`;
const HCL_BLOCK = new RegExp(String.raw`^\s*(${HCL_IDENT})((?:\s+(?:${HCL_STRING}|${HCL_IDENT}))*)\s*\{`);
const HCL_LABEL = new RegExp(`${HCL_STRING}|${HCL_IDENT}`, 'g');
const HCL_ATTRIBUTE = new RegExp(String.raw`^\s*(${HCL_IDENT}|${HCL_STRING})\s*=(?!=)`);

interface Frame {
  path: string[];
  depth: number;
}

function indexHcl(text: string): KeyLine[] {
  const entries: KeyLine[] = [];
  const frames: Frame[] = [];
  const state = { depth: 0, comment: false, heredoc: null as string | null };
  text.split('\n').forEach((raw, i) => {
    if (state.heredoc !== null) {
      if (raw.trim() === state.heredoc) state.heredoc = null;
      return;
    }
    const code = scanHclLine(raw, state);
    const keys = hclKeys(code.text);
    const parent = frames.length ? frames[frames.length - 1].path : [];
    const path = keys ? withoutServicesWrapper([...parent, ...keys.segments]) : null;
    if (keys && path) entries.push({ line: i + 1, path, header: keys.header });
    const before = state.depth;
    state.depth += code.brace;
    if (path && state.depth > before) frames.push({ path, depth: state.depth });
    while (frames.length && frames[frames.length - 1].depth > state.depth) frames.pop();
    const heredoc = /<<-?\s*([A-Za-z_]\w*)\s*$/.exec(code.text);
    if (heredoc) state.heredoc = heredoc[1];
  });
  return entries;
}

function hclKeys(code: string): { segments: string[]; header: boolean } | null {
  const block = HCL_BLOCK.exec(code);
  if (block) {
    const labels = (block[2].match(HCL_LABEL) ?? []).map(unquote);
    return { segments: [block[1], ...labels], header: true };
  }
  const attribute = HCL_ATTRIBUTE.exec(code);
  return attribute ? { segments: [unquote(attribute[1])], header: false } : null;
}

function withoutServicesWrapper(path: string[]): string[] {
  return path[0] === 'services' ? path.slice(1) : path;
}

/** The line without comments and string contents' braces; `brace` is the net count of `{` minus `}` outside strings. */
function scanHclLine(raw: string, state: { comment: boolean }): { text: string; brace: number } {
  let brace = 0;
  let text = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i];
    if (state.comment) {
      if (char === '*' && raw[i + 1] === '/') { state.comment = false; i++; }
      continue;
    }
    if (quoted) {
      if (char === '\\') { text += char + (raw[i + 1] ?? ''); i++; continue; }
      if (char === '"') quoted = false;
      text += char;
      continue;
    }
    if (char === '#' || (char === '/' && raw[i + 1] === '/')) break;
    if (char === '/' && raw[i + 1] === '*') { state.comment = true; i++; continue; }
    if (char === '"') quoted = true;
    else if (char === '{') brace++;
    else if (char === '}') brace--;
    text += char;
  }
  return { text, brace };
}

const TOML_KEY_PART = String.raw`(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')`;
const TOML_KEY = String.raw`${TOML_KEY_PART}(?:\s*\.\s*${TOML_KEY_PART})*`;
const TOML_HEADER = new RegExp(String.raw`^\s*\[\[?\s*(${TOML_KEY})\s*\]\]?\s*(?:#.*)?$`);
const TOML_ASSIGNMENT = new RegExp(String.raw`^\s*(${TOML_KEY})\s*=`);
const TOML_PART = new RegExp(TOML_KEY_PART, 'g');

function indexToml(text: string): KeyLine[] {
  const entries: KeyLine[] = [];
  let table: string[] = [];
  let multiline = false;
  let brackets = 0;
  text.split('\n').forEach((raw, i) => {
    const toggles = (raw.match(/"""|'''/g) ?? []).length;
    const skip = multiline || brackets > 0;
    if (toggles % 2 === 1) multiline = !multiline;
    if (skip) {
      if (!multiline) brackets = Math.max(0, brackets + bracketBalance(raw));
      return;
    }
    const header = TOML_HEADER.exec(raw);
    if (header) {
      table = splitTomlKey(header[1]);
      entries.push({ line: i + 1, path: table, header: true });
      return;
    }
    const assignment = TOML_ASSIGNMENT.exec(raw);
    if (assignment) {
      entries.push({ line: i + 1, path: [...table, ...splitTomlKey(assignment[1])], header: false });
      if (!multiline) brackets = Math.max(0, bracketBalance(raw.slice(assignment[0].length)));
    }
  });
  return entries;
}

/** Net `[` minus `]` outside strings and comments: > 0 while a multi-line array is open. */
function bracketBalance(raw: string): number {
  const code = raw.replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, '""').replace(/#.*$/, '');
  return (code.match(/\[/g) ?? []).length - (code.match(/\]/g) ?? []).length;
}

function splitTomlKey(key: string): string[] {
  return (key.match(TOML_PART) ?? []).map(unquote);
}

function unquote(token: string): string {
  if (token.startsWith("'")) return token.slice(1, -1);
  if (!token.startsWith('"')) return token;
  try {
    return JSON.parse(token) as string;
  } catch {
    return token.slice(1, -1);
  }
}
