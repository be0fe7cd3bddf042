import { describe, expect, it } from 'vitest';
import { fastCommand, fastGetArgs } from '../../src/cli/fast-path.js';

describe('fastGetArgs', () => {
  it('takes the plain forms of get', () => {
    expect(fastGetArgs(['get'], {})).toEqual({ names: [], output: 'table', color: true });
    expect(fastGetArgs(['get', 'web', 'db-1', '-o', 'json'], { NO_COLOR: '1' })).toEqual({ names: ['web', 'db-1'], output: 'json', color: false });
    expect(fastGetArgs(['ls', '--output', 'wide'], {})).toMatchObject({ output: 'wide' });
  });

  it('leaves everything else to yargs, so help, flags and errors behave as documented', () => {
    for (const argv of [['get', '--help'], ['get', '-o', 'xml'], ['get', '--home', '/x'], ['get', '-o'], ['get', 'Web'], ['apply', '-f', 'x'], []]) {
      expect(fastGetArgs(argv, {})).toBeNull();
    }
  });
});

describe('fastCommand', () => {
  it('takes the plain forms of apply, diff, delete and run with the arguments yargs would give', () => {
    expect(fastCommand(['apply', '-f', 'a.hcl'], {})).toEqual({ command: 'apply', args: { filename: ['a.hcl'], recursive: false, color: true } });
    expect(fastCommand(['diff', '-f', 'a.hcl', 'b.toml', '--filename', 'dir', '-R', '--prune', '-o', 'json'], { NO_COLOR: '1' })).toEqual({
      command: 'diff', args: { filename: ['a.hcl', 'b.toml', 'dir'], recursive: true, prune: true, output: 'json', color: false },
    });
    expect(fastCommand(['delete', '--all'], {})).toEqual({ command: 'delete', args: { names: [], all: true, recursive: false, color: true } });
    expect(fastCommand(['delete', 'web', 'db-0'], {})).toMatchObject({ command: 'delete', args: { names: ['web', 'db-0'], all: false } });
    expect(fastCommand(['run', 'api', '--', 'node', 'app.js', '--port', '1e3'], {})).toEqual({
      command: 'run', args: { name: 'api', words: [], _: ['run', 'node', 'app.js', '--port', '1e3'], color: true },
    });
    expect(fastCommand(['get', '-o', 'json'], {})).toMatchObject({ command: 'get' });
  });

  it('leaves help, other flags and mistakes to yargs', () => {
    for (const argv of [
      ['apply'], ['apply', '-f'], ['apply', '-f', '--prune'], ['apply', '-f', 'a.hcl', '--wait'], ['apply', '-f', 'a.hcl', '--dry-run'],
      ['apply', '-f', 'a.hcl', '-o', 'yaml'], ['apply', '--help'], ['diff', '-f=a.hcl'], ['apply', '-f', 'a.hcl', '--home', '/x'],
      ['delete'], ['delete', '--all', 'web'], ['delete', 'Web'], ['delete', '-f', 'a.hcl'],
      ['run', 'api'], ['run', 'api', '--'], ['run', 'api', 'node', '--', 'x'], ['run', '--', 'node'], ['run', 'api', '-i', '2', '--', 'node'],
      ['validate', '-f', 'a.hcl'], [],
    ]) {
      expect(fastCommand(argv, {}), argv.join(' ')).toBeNull();
    }
  });
});
