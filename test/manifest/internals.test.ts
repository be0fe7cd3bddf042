import { describe, expect, it } from 'vitest';
import { readTemplate } from '../../src/manifest/hcl-template.js';
import { hclDiagnostics } from '../../src/manifest/parse-hcl.js';
import { indexLines, keyLine, serviceLines } from '../../src/manifest/line-index.js';
import { nameProblem } from '../../src/manifest/names.js';
import { findCycles } from '../../src/manifest/rules.js';
import { didYouMean } from '../../src/manifest/suggest.js';

describe('hclDiagnostics', () => {
  it('splits hcl2json\'s joined message into one issue per diagnostic, with lines', () => {
    const message =
      'parse config: [hxe-input.hcl:2,7-3,1: Invalid multi-line string; Quoted strings may not be split over multiple lines. ' +
      'hxe-input.hcl:1,5-2,1: Invalid expression; Expected the start of an expression, but found an invalid expression token.]';
    expect(hclDiagnostics(message, 'web.hcl')).toEqual([
      { line: 2, message: 'Invalid multi-line string: Quoted strings may not be split over multiple lines.' },
      { line: 1, message: 'Invalid expression: Expected the start of an expression, but found an invalid expression token.' },
    ]);
  });

  it('names the real file where a diagnostic refers to another position', () => {
    const message =
      'parse config: [hxe-input.hcl:2,1-2: Attribute redefined; The argument "a" was already set at hxe-input.hcl:1,1-2. Each argument may be set only once.]';
    expect(hclDiagnostics(message, 'web.hcl')).toEqual([
      { line: 2, message: 'Attribute redefined: The argument "a" was already set at web.hcl:1,1-2. Each argument may be set only once.' },
    ]);
  });

  it('keeps a message it cannot split, without a line', () => {
    expect(hclDiagnostics('convert to HCL: Unable to convert Block to JSON: service.x.y', 'web.hcl')).toEqual([
      { line: null, message: 'cannot read HCL: convert to HCL: Unable to convert Block to JSON: service.x.y' },
    ]);
  });
});

describe('readTemplate', () => {
  it.each([
    ['plain', 'plain'],
    ['$${HOME}', '${HOME}'],
    ['100%%{x}', '100%{x}'],
    ['$$', '$$'],
    ['cost: $5 {ok}', 'cost: $5 {ok}'],
    // Left to right, as HCL reads it: "$" then the escape "$${".
    ['$$${x}', '$${x}'],
  ])('%j is the literal %j', (text, value) => {
    expect(readTemplate(text)).toEqual({ ok: true, value });
  });

  it.each([
    ['${var.x}', '${var.x}'],
    ['a ${b} c', '${b}'],
    ['%{ if x }y%{ endif }', '%{ if x }'],
  ])('%j holds the expression %j', (text, expression) => {
    expect(readTemplate(text)).toEqual({ ok: false, expression });
  });
});

describe('line index', () => {
  it('records HCL keys with their full path, ignoring braces in strings and comments', () => {
    const text = [
      'services {',
      '  service "web" { # {',
      '    command = "echo }"',
      '    environment = {',
      '      "A-B" = "x"',
      '    }',
      '    /* } */ health_check {',
      '      type = "tcp"',
      '    }',
      '  }',
      '}',
      'service "db" {',
      '  command = <<EOT',
      'not = "a key"',
      'EOT',
      '}',
    ].join('\n');
    const index = indexLines(text, 'hcl');
    expect(serviceLines(index)).toEqual(new Map([['web', [2]], ['db', [12]]]));
    expect(keyLine(index, ['service', 'web', 'environment', 'A-B'], 3)).toBe(5);
    expect(keyLine(index, ['service', 'web', 'command'], 3)).toBe(3);
    // Heredoc text is not indexed: `not = ...` inside it is no key.
    expect(keyLine(index, ['service', 'db', 'not'], 3)).toBeNull();
    expect(keyLine(index, ['service', 'db', 'command'], 3)).toBe(13);
  });

  it('records TOML keys under their table, skipping multi-line strings and arrays', () => {
    const text = [
      '[service."web"]',
      'depends_on = [',
      '  "a",',
      ']',
      'command = """',
      '[service.fake]',
      '"""',
      '[[service.job]]',
      "'quoted key' = 1",
      '[service.web.health_check]  # comment',
      'type = "http"',
    ].join('\n');
    const index = indexLines(text, 'toml');
    expect(serviceLines(index)).toEqual(new Map([['web', [1]], ['job', [8]]]));
    expect(keyLine(index, ['service', 'job', 'quoted key'], 3)).toBe(9);
    expect(keyLine(index, ['service', 'web', 'health_check', 'type'], 3)).toBe(11);
    expect(keyLine(index, ['service', 'web', 'command'], 3)).toBe(5);
  });
});

describe('nameProblem', () => {
  it.each(['web', 'web-app', 'a', '0', 'a1-b2', 'x'.repeat(63)])('accepts %j', (name) => {
    expect(nameProblem(name)).toBeNull();
  });

  it.each([
    ['', /must not be empty/],
    ['Web', /upper-case/],
    ['../x', /must not contain "\/"/],
    ['a.b', /must not contain/],
    ['a\0b', /control character/],
    ['-a', /start and end/],
    ['a-', /start and end/],
    ['a_b', /contains "_"/],
    ['a b', /contains " "/],
    ['x'.repeat(64), /64 characters, expected at most 63/],
  ])('refuses %j, saying why', (name, reason) => {
    expect(nameProblem(name)).toMatch(reason);
  });
});

describe('didYouMean', () => {
  const fields = ['command', 'interval', 'restart_policy', 'cpu_limit', 'environment'];
  it.each([
    ['comand', 'command'],
    ['intervall', 'interval'],
    ['inetrval', 'interval'],
    ['restart', 'restart_policy'],
    ['cpu', 'cpu_limit'],
    ['Command', 'command'],
    ['enviroment', 'environment'],
  ])('%s → %s', (word, suggestion) => {
    expect(didYouMean(word, fields)).toBe(suggestion);
  });

  it.each(['x', 'banana', 'tags'])('suggests nothing for %s', (word) => {
    expect(didYouMean(word, fields)).toBeNull();
  });
});

describe('findCycles', () => {
  it('finds each cycle once, starting at its smallest name', () => {
    const graph = new Map([
      ['c', ['a']],
      ['a', ['b']],
      ['b', ['c', 'd']],
      ['d', []],
      ['x', ['y']],
      ['y', ['x']],
    ]);
    expect(findCycles(graph)).toEqual([['a', 'b', 'c'], ['x', 'y']]);
  });

  it('walks a chain of 100,000 services without overflowing the stack', () => {
    const chain = new Map(Array.from({ length: 100_000 }, (_, i) => [`s${i}`, [`s${(i + 1) % 100_000}`]]));
    expect(findCycles(chain)).toHaveLength(1);
  });

  it('finds nothing in a DAG', () => {
    expect(findCycles(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]]))).toEqual([]);
  });
});
