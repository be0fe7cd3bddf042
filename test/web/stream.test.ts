import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/processes.js';

// The page's API module, run in Node against a scripted server: fetch and
// ReadableStream are the same as in the browser; only `location` (where the
// page was served from) has to be given.
const STATIC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/web/static');
interface Stream { close(): void; retryNow(): void }
const api = await import(pathToFileURL(path.join(STATIC, 'api.js')).href) as {
  openStream(options: {
    token: string;
    onMessage: (message: { event: string; data: string }) => void;
    onStatus: (status: string, detail?: unknown) => void;
    onOpen: (path: string) => Promise<void> | void;
  }): Stream;
  getJson(path: string, token: string): Promise<unknown>;
};

const TOKEN = 'stream-token';
let server: Server;
let handler: (request: IncomingMessage, response: ServerResponse) => void;
const requests: string[] = [];
const streams: Stream[] = [];
const global = globalThis as { location?: { href: string } };

beforeEach(async () => {
  requests.length = 0;
  server = createServer((request, response) => {
    requests.push(`${request.url} ${request.headers.authorization === `Bearer ${TOKEN}` ? 'ok' : 'bad'}`);
    if (request.headers.authorization !== `Bearer ${TOKEN}`) {
      response.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":"UNAUTHORIZED","message":"no"}}');
      return;
    }
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  global.location = { href: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ui/` };
});
afterEach(async () => {
  streams.splice(0).forEach((stream) => stream.close());
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  delete global.location;
});

function record(token: string) {
  const statuses: string[] = [];
  const messages: { event: string; data: string }[] = [];
  const opened: string[] = [];
  const stream = api.openStream({
    token,
    onStatus: (status) => statuses.push(status),
    onMessage: (message) => messages.push(message),
    onOpen: (openedPath) => { opened.push(openedPath); },
  });
  streams.push(stream);
  return { statuses, messages, opened, stream };
}

describe('the page\'s live stream', () => {
  it('falls back to the events stream on 404, and reconnects (catching up) when it drops', async () => {
    let connections = 0;
    const live: ServerResponse[] = [];
    handler = (request, response) => {
      if (request.url?.startsWith('/v1/stream')) {
        response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"NOT_FOUND","message":"no route"}}');
        return;
      }
      connections += 1;
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(`: keepalive\n\nevent: Started\ndata: {"service":"web","n":${connections}}\n\n`);
      if (connections === 1) response.end(); // the connection drops
      else live.push(response);
    };
    const { statuses, messages, opened, stream } = record(TOKEN);
    await waitFor(() => messages.length === 2, { timeoutMs: 5_000, what: 'two messages' });
    expect(messages.map((m) => JSON.parse(m.data).n)).toEqual([1, 2]);
    expect(opened).toEqual(['v1/events?watch=1&limit=1', 'v1/events?watch=1&limit=1']);
    expect(statuses).toEqual(['connecting', 'live', 'reconnecting', 'connecting', 'live']);
    expect(requests).toEqual(['/v1/stream?samples=1 ok', '/v1/events?watch=1&limit=1 ok', '/v1/events?watch=1&limit=1 ok']);
    stream.close();
    await waitFor(() => live[0].destroyed || live[0].writableEnded || live[0].socket?.destroyed, { timeoutMs: 2_000, what: 'the server to see the page go' });
  });

  it('stops and says so when the token is refused', async () => {
    handler = (_request, response) => { response.writeHead(500).end(); };
    const { statuses, stream } = record('wrong');
    await waitFor(() => statuses.includes('unauthorized'), { timeoutMs: 2_000 });
    // A stream that went on would now wait out its backoff: cut that short, and let it run what follows.
    stream.retryNow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(statuses).toEqual(['connecting', 'unauthorized']);
    stream.close();
    await expect(api.getJson('v1/agent', 'wrong')).rejects.toMatchObject({ name: 'Unauthorized' });
    expect(requests).toEqual(['/v1/stream?samples=1 bad', '/v1/agent bad']);
  });
});
