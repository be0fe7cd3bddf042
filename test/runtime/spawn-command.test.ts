import { describe, expect, it } from 'vitest';
import { buildCommandLine, composeEnv, resolveEnvRefs, splitCommand } from '../../src/runtime/spawn-command.js';

describe('splitCommand', () => {
  it.each([
    ['node app.js', ['node', 'app.js']],
    [`echo 'a b' "c \\"d\\"" e\\ f`, ['echo', 'a b', 'c "d"', 'e f']],
    [`printf '%s' ''`, ['printf', '%s', '']],
    ['  spaced   out  ', ['spaced', 'out']],
    ['echo $HOME', ['echo', '$HOME']],
  ])('splits %s by POSIX rules', (command, words) => {
    expect(splitCommand(command)).toEqual(words);
  });

  it('rejects an unclosed quote and an empty command', () => {
    expect(() => splitCommand(`echo 'oops`)).toThrow(/cannot split into arguments: unbalanced quotes/);
    expect(() => splitCommand('   ')).toThrow('command is empty');
  });
});

describe('buildCommandLine', () => {
  it('runs the program itself with args appended', () => {
    expect(buildCommandLine({ command: `node "my app.js"`, args: ['--port', '80 80'], shell: false })).toEqual({
      file: 'node',
      args: ['my app.js', '--port', '80 80'],
    });
  });

  it('hands the command to /bin/sh -c with args quoted', () => {
    expect(buildCommandLine({ command: 'echo $X | tr a b', args: ["it's", 'a b'], shell: true })).toEqual({
      file: '/bin/sh',
      args: ['-c', `echo $X | tr a b 'it'"'"'s' 'a b'`],
    });
  });
});

describe('resolveEnvRefs', () => {
  it('replaces env:VAR by the agent value and keeps other values', () => {
    const env = resolveEnvRefs({ DB: 'env:DATABASE_URL', MODE: 'prod', ODD: 'env: x' }, { DATABASE_URL: 'pg://x' });
    expect(env).toEqual({ DB: 'pg://x', MODE: 'prod', ODD: 'env: x' });
  });

  it('names the variable, never a value, when the agent lacks it', () => {
    expect(() => resolveEnvRefs({ DB: 'env:NOPE' }, {})).toThrow(
      "environment.DB: env:NOPE is not set in the agent's environment",
    );
  });
});

describe('composeEnv', () => {
  it('layers agent < env_file < environment, then HXE_SERVICE and HXE_INSTANCE', () => {
    const env = composeEnv({
      agentEnv: { A: 'agent', B: 'agent', C: 'agent', GONE: undefined, HXE_INSTANCE: '9' },
      envFile: { B: 'file', C: 'file' },
      environment: { C: 'spec' },
      service: 'web',
      index: 1,
    });
    expect(env).toEqual({ A: 'agent', B: 'file', C: 'spec', HXE_SERVICE: 'web', HXE_INSTANCE: '1' });
  });
});
