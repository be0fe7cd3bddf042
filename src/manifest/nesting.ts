/**
 * A bound on nesting, checked before anything recurses over a document.
 * hcl2json's parser (Go in WebAssembly) overflows the stack at ~1,000
 * nested blocks or brackets, and once it has, its runtime may not recover;
 * TOML's dotted keys nest without limit. No manifest or configuration
 * needs more than a dozen levels.
 */
import { isPlainObject, type SyntaxIssue } from './parse-outcome.js';

/** Deepest nesting accepted: blocks, objects, lists, parentheses and string templates together. */
export const MAX_NESTING = 100;

const tooDeep = (line: number | null): SyntaxIssue => ({ line, message: `nesting deeper than ${MAX_NESTING} levels` });

type Frame = '{' | '[' | '(' | 'string' | 'template';

/**
 * Scans HCL text for nesting deeper than MAX_NESTING, without parsing it:
 * brackets in code count, as do strings and the `${ }` / `%{ }` templates
 * inside them; comments and heredocs are skipped. Returns the issue at the
 * line where the limit is passed, or null. Unbalanced text is left to the
 * parser to report.
 */
export function hclNestingIssue(text: string): SyntaxIssue | null {
  const stack: Frame[] = [];
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    if (stack.at(-1) === 'string') {
      if (c === '\\') i++;
      else if (c === '"') stack.pop();
      else if ((c === '$' || c === '%') && text[i + 1] === c) i++; // `$${` is a literal
      else if ((c === '$' || c === '%') && text[i + 1] === '{') {
        stack.push('template');
        i++;
      }
    } else if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      i = endOfLine(text, i) - 1;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      line += countLines(text, i, stop);
      i = stop - 1;
    } else if (c === '<' && text[i + 1] === '<') {
      const skipped = skipHeredoc(text, i);
      line += countLines(text, i, skipped);
      i = skipped;
    } else if (c === '"' || c === '{' || c === '[' || c === '(') {
      stack.push(c === '"' ? 'string' : c);
    } else if (c === '}' || c === ']' || c === ')') {
      stack.pop();
    }
    if (stack.length > MAX_NESTING) return tooDeep(line);
  }
  return null;
}

/**
 * A heredoc (`<<EOF` / `<<-EOF` then a newline) starting at `start`: the
 * index of its closing marker's last character; `start` itself when this is
 * not a heredoc opener.
 */
function skipHeredoc(text: string, start: number): number {
  const opener = /^<<-?([A-Za-z_][A-Za-z0-9_-]*)\r?\n/.exec(text.slice(start, start + 260));
  if (!opener) return start;
  let at = start + opener[0].length;
  while (at < text.length) {
    const end = endOfLine(text, at);
    if (text.slice(at, end).trim() === opener[1]) return end - 1;
    at = end + 1;
  }
  return text.length;
}

function endOfLine(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end < 0 ? text.length : end;
}

/** Newlines in text[from, to). */
function countLines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/** The same bound on a parsed document (TOML), walked without recursion; line unknown. */
export function documentNestingIssue(document: unknown): SyntaxIssue | null {
  const pending: { value: unknown; depth: number }[] = [{ value: document, depth: 0 }];
  while (pending.length > 0) {
    const { value, depth } = pending.pop()!;
    if (depth > MAX_NESTING) return tooDeep(null);
    const children = Array.isArray(value) ? value : isPlainObject(value) ? Object.values(value) : [];
    for (const child of children) if (typeof child === 'object' && child !== null) pending.push({ value: child, depth: depth + 1 });
  }
  return null;
}
