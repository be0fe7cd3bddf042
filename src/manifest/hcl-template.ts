/**
 * hcl2json does not evaluate expressions: it returns `${var.x}`, `${f(1)}`,
 * `%{ if ... }` as text, and a literal `${` escaped as `$${`. hxe has no
 * variables, so any expression is refused and escapes are undone.
 */

export type TemplateResult = { ok: true; value: string } | { ok: false; expression: string };

const MAX_SHOWN = 40;

/** The literal value of an hcl2json string, or the first expression it contains. */
export function readTemplate(text: string): TemplateResult {
  let value = '';
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith('$${', i) || text.startsWith('%%{', i)) {
      value += `${text[i]}{`;
      i += 2;
    } else if (text.startsWith('${', i) || text.startsWith('%{', i)) {
      return { ok: false, expression: excerpt(text, i) };
    } else {
      value += text[i];
    }
  }
  return { ok: true, value };
}

function excerpt(text: string, start: number): string {
  const end = text.indexOf('}', start);
  const expression = end === -1 ? text.slice(start) : text.slice(start, end + 1);
  return expression.length > MAX_SHOWN ? `${expression.slice(0, MAX_SHOWN - 3)}...` : expression;
}

/** The message for a refused expression. */
export function expressionMessage(expression: string): string {
  const opener = expression.startsWith('%') ? '%{' : '${';
  return `expressions are not evaluated, got ${JSON.stringify(expression)} (write ${opener[0]}${opener} for a literal "${opener}")`;
}
