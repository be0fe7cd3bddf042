import { describe, expect, it } from 'vitest';
import { fastGetArgs } from '../../src/cli/fast-path.js';

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
