import { describe, expect, it } from 'vitest';
import { documentNestingIssue, hclNestingIssue, MAX_NESTING } from '../../src/manifest/nesting.js';

const nested = (depth: number) => `${'a = ['.repeat(depth)}1${']'.repeat(depth)}\n`;

describe('nesting bound', () => {
  it('counts brackets in code, at the line where the limit is passed', () => {
    expect(hclNestingIssue(nested(MAX_NESTING))).toBeNull();
    expect(hclNestingIssue(`x = 1\n${nested(MAX_NESTING + 1)}`)).toEqual({ line: 2, message: `nesting deeper than ${MAX_NESTING} levels` });
    expect(hclNestingIssue(`${'b {\n'.repeat(MAX_NESTING + 1)}`)?.line).toBe(MAX_NESTING + 1);
  });

  it('skips brackets in strings, comments and heredocs, and counts templates', () => {
    const many = '{'.repeat(MAX_NESTING * 2);
    const text = [
      `a = "${many} \\" ${many}"`,
      `# ${many}`,
      `// ${many}`,
      `/* ${many}`,
      `${many} */`,
      'b = <<-EOT',
      `  ${many}`,
      '  EOT',
      `c = "$\${${many}"`,
      'd = 1',
    ].join('\n');
    expect(hclNestingIssue(text)).toBeNull();
    // A template inside a string is code again: its brackets count, and so do the string and the template.
    const deepTemplate = `e = "\${${'['.repeat(MAX_NESTING)}1${']'.repeat(MAX_NESTING)}}"`;
    expect(hclNestingIssue(`${text}\n${deepTemplate}`)?.line).toBe(11);
  });

  it('walks a parsed document without recursion', () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 100_000; i++) deep = (deep.k = {}) as Record<string, unknown>;
    expect(documentNestingIssue(root)).toEqual({ line: null, message: `nesting deeper than ${MAX_NESTING} levels` });
    expect(documentNestingIssue({ service: { a: { args: [[1]], labels: { x: 'y' } } } })).toBeNull();
  });
});
