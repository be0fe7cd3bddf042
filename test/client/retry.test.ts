/** The client's retry rule: transient connection failures only, never an answer of the agent. */
import { describe, expect, it } from 'vitest';
import { HxeError } from '../../src/core/errors.js';
import { isTransient, withRetry } from '../../src/client/retry.js';

const unreachable = (code: string) => new HxeError('AGENT_UNAVAILABLE', `cannot reach the agent: ${code}`, { cause: Object.assign(new Error(code), { code }) });

describe('isTransient', () => {
  it('is true for a refused connection or a missing socket, for a cut one only when idempotent', () => {
    expect(isTransient(unreachable('ECONNREFUSED'))).toBe(true);
    expect(isTransient(unreachable('ENOENT'), false)).toBe(true);
    expect(isTransient(unreachable('ECONNRESET'))).toBe(true);
    expect(isTransient(unreachable('ECONNRESET'), false)).toBe(false);
    expect(isTransient(unreachable('EACCES'))).toBe(false);
    expect(isTransient(new HxeError('NOT_FOUND', 'no service "x"'))).toBe(false);
    expect(isTransient(new HxeError('CONFLICT', 'store moved on'))).toBe(false);
  });
});

describe('withRetry', () => {
  it('tries again until the operation answers, and stops at the attempts given', async () => {
    let calls = 0;
    const answer = await withRetry(async () => { if (++calls < 3) throw unreachable('ECONNREFUSED'); return 'ok'; }, { baseDelayMs: 1 });
    expect([answer, calls]).toEqual(['ok', 3]);
    calls = 0;
    await expect(withRetry(async () => { calls++; throw unreachable('ECONNREFUSED'); }, { attempts: 4, baseDelayMs: 1 })).rejects.toThrow(/ECONNREFUSED/);
    expect(calls).toBe(4);
  });

  it('never retries an answer (a 4xx)', async () => {
    let calls = 0;
    await expect(withRetry(async () => { calls++; throw new HxeError('NOT_FOUND', 'no service "x"'); }, { baseDelayMs: 1 })).rejects.toThrow(/no service/);
    expect(calls).toBe(1);
  });
});
