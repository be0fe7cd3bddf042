import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitCommand } from '../../src/manifest/command.js';
import { formatDuration, MAX_DURATION_MS, parseDuration } from '../../src/manifest/duration.js';
import { parseCpu, parseMemory } from '../../src/manifest/quantity.js';
import { normaliseSignal } from '../../src/manifest/signal.js';

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['0s', 0],
    ['500ms', 500],
    ['10s', 10_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1_500],
    ['.5s', 500],
    ['1m30.5s', 90_500],
    ['2h45m10s250ms', 9_910_250],
    ['0.4ms', 0],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '10', '-1s', '1d', '1 s', 's', '10us', '1h 30m', '1.s.5', 'ms', '1e3s', '1000000h'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(/expected/);
  });

  it('says a unit is missing, and which units there are', () => {
    expect(() => parseDuration('10')).toThrow('expected a duration such as "500ms", "10s", "5m" or "1h30m" (a unit is required), got "10"');
    expect(() => parseDuration('5ns')).toThrow(/the smallest unit is ms/);
  });

  it.each([
    [0, '0s'],
    [500, '500ms'],
    [10_000, '10s'],
    [90_500, '1m30.5s'],
    [5_400_000, '1h30m'],
    [3_600_001, '1h0.001s'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('reads back what it formats', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: MAX_DURATION_MS }), (ms) => parseDuration(formatDuration(ms)) === ms));
  });
});

describe('parseCpu', () => {
  it.each([
    ['500m', 500],
    ['1', 1000],
    ['1.5', 1500],
    ['0.1', 100],
    ['2000m', 2000],
    [2, 2000],
    [0.25, 250],
  ] as const)('%j is %d millicores', (value, millicores) => {
    expect(parseCpu(value)).toBe(millicores);
  });

  it.each(['0', '0m', '1.5m', '-1', '1 core', '', 'm', '1e3', 0, -1, 0.0001, Number.NaN])('refuses %j', (value) => {
    expect(() => parseCpu(value)).toThrow(/expected/);
  });
});

describe('parseMemory', () => {
  it.each([
    ['512Mi', 512 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1G', 1e9],
    ['1000', 1000],
    ['1.5Ki', 1536],
    ['64k', 64_000],
    ['64K', 64_000],
    ['2Ti', 2 * 2 ** 40],
    [4096, 4096],
  ] as const)('%j is %d bytes', (value, bytes) => {
    expect(parseMemory(value)).toBe(bytes);
  });

  it.each(['0', '', 'Mi', '1GB', '1 Gi', '-1Mi', '1e3', '10Ei', 0, -5])('refuses %j', (value) => {
    expect(() => parseMemory(value)).toThrow(/expected/);
  });

  it('hints at Mi for the Kubernetes milli slip', () => {
    expect(() => parseMemory('512m')).toThrow('(did you mean "512Mi"?)');
  });
});

describe('splitCommand', () => {
  it.each([
    ['node app.js', ['node', 'app.js']],
    ['  spaced   out  ', ['spaced', 'out']],
    [`python3 -c 'print("hi")'`, ['python3', '-c', 'print("hi")']],
    ['echo "a b" c\\ d', ['echo', 'a b', 'c d']],
    ['echo "it\'s"', ['echo', "it's"]],
    ['echo $HOME *', ['echo', '$HOME', '*']],
    ['', []],
  ])('%j', (command, args) => {
    expect(splitCommand(command)).toEqual(args);
  });

  it('throws a clear error on unbalanced quotes and trailing escapes', () => {
    expect(() => splitCommand("echo 'oops")).toThrow('cannot split into arguments: unbalanced quotes in "echo \'oops"');
    expect(() => splitCommand('echo "oops')).toThrow(/unbalanced quotes/);
    expect(() => splitCommand('echo \\')).toThrow(/trailing backslash/);
  });
});

describe('normaliseSignal', () => {
  it.each([
    ['TERM', 'SIGTERM'],
    ['SIGTERM', 'SIGTERM'],
    ['sigint', 'SIGINT'],
    ['hup', 'SIGHUP'],
    ['SIGKILL', 'SIGKILL'],
  ])('%s is %s', (name, signal) => {
    expect(normaliseSignal(name)).toBe(signal);
  });

  it.each(['', 'SIG', 'FOO', 'SIGFOO', '15', 'constructor', 'toString'])('refuses %j', (name) => {
    expect(() => normaliseSignal(name)).toThrow(/expected a signal name/);
  });
});
