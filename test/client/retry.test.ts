/**
 * The client's retry rule: failures that can pass only (an agent starting, a
 * full backlog, a cut connection for calls safe to repeat), never an answer
 * of the agent, never "no agent" (no socket; a socket nobody listens on
 * while no agent pid lives).
 */
import { promises as fs } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HxeError } from '../../src/core/errors.js';
import { isTransient, withRetry, type RetryEvent } from '../../src/client/retry.js';
import { AgentUnavailableError, connect } from '../../src/client/index.js';

const unreachable = (code: string) => new HxeError('AGENT_UNAVAILABLE', `cannot reach the agent: ${code}`, { cause: Object.assign(new Error(code), { code }) });

describe('isTransient', () => {
  it('is false for a missing socket, and for a refused one unless an agent pid lives', () => {
    expect(isTransient(unreachable('ENOENT'))).toBe(false);
    expect(isTransient(unreachable('ENOENT'), { agentAlive: () => true })).toBe(false);
    expect(isTransient(unreachable('ECONNREFUSED'), { agentAlive: () => false })).toBe(false);
    expect(isTransient(unreachable('ECONNREFUSED'), { agentAlive: () => true })).toBe(true);
    // A TCP endpoint: nothing to ask, a refused port may be an agent restarting.
    expect(isTransient(unreachable('ECONNREFUSED'))).toBe(true);
  });

  it('is true for a full backlog, for a cut connection only when idempotent, never for an answer', () => {
    expect(isTransient(unreachable('EAGAIN'), { idempotent: false })).toBe(true);
    expect(isTransient(unreachable('ECONNRESET'))).toBe(true);
    expect(isTransient(unreachable('ECONNRESET'), { idempotent: false })).toBe(false);
    expect(isTransient(unreachable('EACCES'))).toBe(false);
    expect(isTransient(new HxeError('NOT_FOUND', 'no service "x"'))).toBe(false);
    expect(isTransient(new HxeError('CONFLICT', 'store moved on'))).toBe(false);
  });
});

describe('withRetry', () => {
  it('tries again until the operation answers, says each retry, and stops at the attempts given', async () => {
    let calls = 0;
    const retries: RetryEvent[] = [];
    const answer = await withRetry(async () => { if (++calls < 3) throw unreachable('ECONNRESET'); return 'ok'; }, { baseDelayMs: 1, onRetry: (r) => retries.push(r) });
    expect([answer, calls]).toEqual(['ok', 3]);
    expect(retries.map((r) => [r.attempt, r.delayMs])).toEqual([[1, 1], [2, 2]]);
    calls = 0;
    await expect(withRetry(async () => { calls++; throw unreachable('EAGAIN'); }, { attempts: 4, baseDelayMs: 1 })).rejects.toThrow(/EAGAIN/);
    expect(calls).toBe(4);
  });

  it('never retries an answer (a 4xx)', async () => {
    let calls = 0;
    await expect(withRetry(async () => { calls++; throw new HxeError('NOT_FOUND', 'no service "x"'); }, { baseDelayMs: 1 })).rejects.toThrow(/no service/);
    expect(calls).toBe(1);
  });
});

describe('a real socket whose first connection is cut mid-request', () => {
  let server: net.Server | null = null;
  let dir = '';
  const sockets: net.Socket[] = [];
  afterEach(async () => {
    // The client keeps its connections alive: close ours, or close() waits for them.
    for (const socket of sockets.splice(0)) socket.destroy();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  /** A Unix socket at HOME/agent.sock that drops the first `cut` connections once their request arrives, and answers the rest as an agent would. */
  async function flakyAgent(cut: number): Promise<{ home: string; connections: () => number }> {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hxe-retry-'));
    const api = http.createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(request.url?.startsWith('/v1/services') ? '[]' : '{"names":["web"]}');
    });
    let connections = 0;
    server = net.createServer((socket) => {
      sockets.push(socket);
      if (++connections <= cut) socket.once('data', () => socket.destroy());
      else api.emit('connection', socket);
    });
    await new Promise<void>((resolve) => server!.listen(path.join(dir, 'agent.sock'), resolve));
    return { home: dir, connections: () => connections };
  }

  it('list() survives the cut: retried once, then answered', async () => {
    const agent = await flakyAgent(1);
    const retries: RetryEvent[] = [];
    const client = connect({ home: agent.home, retry: { baseDelayMs: 1, onRetry: (r) => retries.push(r) } });
    expect(await client.list()).toEqual([]);
    expect(agent.connections()).toBe(2);
    expect(retries).toHaveLength(1);
    expect((retries[0].error.cause as NodeJS.ErrnoException).code).toBe('ECONNRESET');
  });

  it('restart() is not sent twice: the cut is the answer', async () => {
    const agent = await flakyAgent(1);
    const client = connect({ home: agent.home, retry: { baseDelayMs: 1 } });
    await expect(client.restart(['web'])).rejects.toBeInstanceOf(AgentUnavailableError);
    expect(agent.connections()).toBe(1);
    expect(await client.restart(['web'])).toEqual({ names: ['web'] });
  });
});
