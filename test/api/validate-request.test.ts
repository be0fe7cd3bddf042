import { describe, expect, it } from 'vitest';
import { validateApplyRequest, validateDeleteRequest, validateNames, validateStopAgentRequest } from '../../src/api/validate-request.js';
import { HxeError, ManifestError } from '../../src/core/errors.js';
import { specOf } from '../helpers/specs.js';

function errorOf(fn: () => unknown): HxeError {
  try {
    fn();
  } catch (err) {
    return err as HxeError;
  }
  throw new Error('expected an error');
}

describe('request bodies', () => {
  it.each([
    ['delete names as a string', () => validateDeleteRequest({ names: 'x' }), /names: expected a list/],
    ['delete all as a string', () => validateDeleteRequest({ all: 'yes' }), /all: expected true or false, got "yes"/],
    ['delete with nothing named', () => validateDeleteRequest({}), /name services to delete, or all/],
    ['keepServices as a string', () => validateStopAgentRequest({ keepServices: 'false' }), /keepServices: expected true or false/],
    ['names not a list', () => validateNames('x'), /names: expected a list of names, got "x"/],
    ['a path as a name', () => validateNames(['a/b']), /invalid name/],
    ['an unknown key', () => validateApplyRequest({ source: '/x', services: [], surprise: 1 }), /surprise/],
    ['services not a list', () => validateApplyRequest({ source: '/x', services: {} }), /services: expected a list/],
    ['checkIndex below 0', () => validateApplyRequest({ source: '/x', services: [], checkIndex: -1 }), /checkIndex: expected at least 0/],
    ['a body that is not an object', () => validateApplyRequest([]), /expected a block\/table, got a list/],
  ])('%s is BAD_USAGE naming the field', (_what, call, message) => {
    const error = errorOf(call);
    expect(error.code).toBe('BAD_USAGE');
    expect(error.message).toMatch(message);
  });

  it('reports every spec issue with its file, service and field', () => {
    const error = errorOf(() => validateApplyRequest({ source: '/x', services: [
      { name: 'a', file: '/srv/a.hcl', line: 3, spec: { command: 'x', instances: -5 } },
      { name: 'b', spec: { command: 'x', stop_signal: 'SIGNOPE' } },
    ] }));
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).issues).toEqual([
      { file: '/srv/a.hcl', line: 3, service: 'a', path: 'instances', message: 'expected at least 0, got -5' },
      expect.objectContaining({ file: '/x (services[1])', line: null, service: 'b', path: 'stop_signal' }),
    ]);
  });

  it('normalises a valid spec, and takes a spec equal to the stored one as it is', () => {
    const request = validateApplyRequest({ source: '/x', services: [{ name: 'web', spec: { command: 'sleep 1000' } }], checkIndex: 4 });
    expect(request).toMatchObject({ source: '/x', prune: false, dryRun: false, checkIndex: 4 });
    expect(request.services[0]).toEqual({ name: 'web', spec: { ...specOf(), working_dir: null }, file: '/x', line: null });
    const stored = specOf();
    const again = validateApplyRequest({ source: '/x', services: [{ name: 'web', spec: JSON.parse(JSON.stringify(stored)) }] }, () => stored);
    expect(again.services[0].spec).toBe(stored);
  });
});
