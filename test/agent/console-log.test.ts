import { describe, expect, it } from 'vitest';
import { prettyLine } from '../../src/agent/console-log.js';

describe('the foreground agent\'s terminal log', () => {
  it('prints a record as time, level, message and its fields', () => {
    const line = JSON.stringify({ level: 40, time: '2026-12-01T04:12:03.481Z', pid: 7, msg: 'instance crashed', service: 'web-0', exitCode: 1, message: 'two words' });
    expect(prettyLine(line, false)).toBe('04:12:03.481 WARN  instance crashed  service=web-0 exitCode=1 message="two words"');
    expect(prettyLine(line, true)).toContain('\x1b[33mWARN \x1b[0m');
    expect(prettyLine('not json', false)).toBe('not json');
  });
});
