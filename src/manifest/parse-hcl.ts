/**
 * HCL → plain JSON via hcl2json (Go compiled to WASM). Importing it costs
 * ~0.3 s and ~70 MB, so it is imported only when an HCL file actually has
 * to be parsed (not in cache), and the import is shared by later parses.
 */
import v8 from 'node:v8';
import { hclNestingIssue } from './nesting.js';
import { isPlainObject, type ParseOutcome, type SyntaxIssue } from './parse-outcome.js';

interface Hcl2Json {
  parse(filename: string, contents: string): Promise<Record<string, unknown>>;
}

// A specifier TypeScript does not resolve: hcl2json's declarations would pull
// the DOM lib into the whole project (see STACK.md), and we need one function.
const HCL2JSON_MODULE: string = '@cdktf/hcl2json';

/** The name hcl2json puts in its diagnostics; replaced by the real one in messages. */
const INPUT_NAME = 'hxe-input.hcl';
const DIAGNOSTIC = /hxe-input\.hcl:(\d+),\d+-(?:\d+,)?\d+: /g;

let hcl2json: Promise<Hcl2Json> | undefined;

async function loadHcl2json(): Promise<Hcl2Json> {
  if (!hcl2json) useBaselineWasmCompiler();
  hcl2json ??= import(HCL2JSON_MODULE).then(
    (module: Hcl2Json & { default?: Hcl2Json }) => (typeof module.parse === 'function' ? module : module.default!),
    (err: unknown) => {
      // Not cached: a later load may succeed (and this one reports the failure as it is).
      hcl2json = undefined;
      throw err;
    },
  );
  return hcl2json;
}

/**
 * V8 compiles the parser's ~20 MB of WASM twice: at once with its baseline
 * compiler (Liftoff), then again optimised on background threads. A short
 * parse never profits from the second, which competes for the CPU with the
 * parse itself (and with the agent on a 2-core host): Liftoff only makes
 * the first parse of 100 services ~2× faster, and steadier.
 */
function useBaselineWasmCompiler(): void {
  v8.setFlagsFromString('--liftoff-only');
}

/** Parses HCL text; `displayName` replaces the parser's file name in messages. */
export async function parseHcl(text: string, displayName: string): Promise<ParseOutcome> {
  // Checked first: the parser itself overflows its stack on deep nesting.
  const tooDeep = hclNestingIssue(text);
  if (tooDeep) return { ok: false, issues: [tooDeep] };
  const { parse } = await loadHcl2json();
  try {
    const document = await parse(INPUT_NAME, text);
    if (!isPlainObject(document)) return { ok: false, issues: [{ line: null, message: 'not an HCL body' }] };
    return { ok: true, document };
  } catch (err) {
    return { ok: false, issues: hclDiagnostics(err instanceof Error ? err.message : String(err), displayName) };
  }
}

/**
 * hcl2json joins all diagnostics into one message:
 * `parse config: [f.hcl:1,15-16: Summary; Detail. f.hcl:3,1-2: ...]`.
 * Each `FILE:LINE,COL-...: ` starts one; the text up to the next is its message.
 */
export function hclDiagnostics(message: string, displayName: string): SyntaxIssue[] {
  const body = message.replace(/^parse config: \[/, '').replace(/\]$/, '');
  const starts = [...body.matchAll(DIAGNOSTIC)];
  if (starts.length === 0) return [{ line: null, message: `cannot read HCL: ${message.split(INPUT_NAME).join(displayName)}` }];
  const seen = new Set<string>();
  const issues: SyntaxIssue[] = [];
  starts.forEach((start, i) => {
    const end = i + 1 < starts.length ? starts[i + 1].index : body.length;
    const text = body.slice(start.index + start[0].length, end).trim();
    const issue = { line: Number(start[1]), message: text.replace('; ', ': ').split(INPUT_NAME).join(displayName) };
    const key = `${issue.line}\n${issue.message}`;
    if (!seen.has(key)) issues.push(issue);
    seen.add(key);
  });
  return issues;
}
