import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { registerWebRoutes, staticDir, WEB_FILES } from '../../src/web/routes.js';

const STATIC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/web/static');

// The page's modules are plain browser JavaScript, loaded as they are (no types, no build step).
interface SseMessage { event: string; data: string }
const { SseParser } = await import(pathToFileURL(path.join(STATIC, 'sse.js')).href) as {
  SseParser: new (onMessage: (message: SseMessage) => void) => { push(text: string): void };
};
const { sparkGeometry } = await import(pathToFileURL(path.join(STATIC, 'sparkline.js')).href) as {
  sparkGeometry(points: { at: number; value: number }[], options: { width: number; height: number; floor?: number; zeroBased?: boolean }):
  { line: string; area: string; last: [number, number]; min: number; max: number } | null;
};
const format = await import(pathToFileURL(path.join(STATIC, 'format.js')).href) as {
  formatDuration(ms: number): string;
  formatBytes(bytes: number): string;
  formatPercent(value: number): string;
  stateTone(state: string): string;
  belongsTo(instance: string, name: string): boolean;
};

describe('the event stream parser', () => {
  const parse = (chunks: string[]) => {
    const messages: SseMessage[] = [];
    const parser = new SseParser((message) => messages.push(message));
    chunks.forEach((chunk) => parser.push(chunk));
    return messages;
  };

  it('reads events and data, skips keepalive comments, and joins data lines', () => {
    expect(parse([': keepalive\n\nevent: Started\ndata: {"a":1}\n\nevent: samples\ndata: [1,\ndata: 2]\n\n'])).toEqual([
      { event: 'Started', data: '{"a":1}' },
      { event: 'samples', data: '[1,\n2]' },
    ]);
  });

  it('reassembles messages split anywhere across chunks, CRLF included', () => {
    const text = 'event: Exited\r\ndata: {"service":"web"}\r\n\r\ndata: plain\r\n\r\n';
    const expected = [{ event: 'Exited', data: '{"service":"web"}' }, { event: 'message', data: 'plain' }];
    for (let cut = 1; cut < text.length; cut++) {
      expect(parse([text.slice(0, cut), text.slice(cut)]), `cut at ${cut}`).toEqual(expected);
    }
    expect(parse([...text])).toEqual(expected);
  });

  it('dispatches nothing for an unfinished message', () => {
    expect(parse(['event: Started\ndata: {}\n'])).toEqual([]);
  });
});

describe('sparklines', () => {
  it('scale x by time and y from zero, with a floor', () => {
    const shape = sparkGeometry([{ at: 0, value: 0 }, { at: 500, value: 1 }, { at: 1000, value: 0.5 }], { width: 100, height: 20, floor: 2 })!;
    expect(shape.line).toBe('M2 18 L50 10 L98 14');
    expect(shape.area).toBe('M2 18 L50 10 L98 14 L98 20 L2 20 Z');
    expect([shape.min, shape.max]).toEqual([0, 2]);
  });

  it('hug the values when not zero-based, draw one sample as a dot, and nothing for none', () => {
    const memory = sparkGeometry([{ at: 0, value: 100 }, { at: 1, value: 200 }], { width: 100, height: 20, zeroBased: false })!;
    expect(memory.min).toBeCloseTo(85);
    expect(memory.max).toBeCloseTo(215);
    const one = sparkGeometry([{ at: 5, value: 3 }], { width: 100, height: 20 })!;
    expect(one.line).toBe('M98 2');
    expect(one.area).toBe('');
    expect(sparkGeometry([], { width: 100, height: 20 })).toBeNull();
  });
});

describe('formatting', () => {
  it('writes durations, sizes and percentages briefly', () => {
    expect([0, 42_000, 303_000, 3 * 3600_000 + 12 * 60_000, 4 * 86400_000 + 2 * 3600_000].map(format.formatDuration))
      .toEqual(['0s', '42s', '5m 03s', '3h 12m', '4d 2h']);
    expect([512, 812 * 1024, 41.3 * 1024 ** 2, 1.2 * 1024 ** 3].map(format.formatBytes)).toEqual(['512 B', '812 KiB', '41.3 MiB', '1.20 GiB']);
    expect([0.44, 12.4, 187].map(format.formatPercent)).toEqual(['0.4%', '12%', '187%']);
    expect(format.formatBytes(Number.NaN)).toBe('—');
  });

  it('gives every lifecycle state a tone, and matches instances as the agent does', () => {
    expect(['healthy', 'starting', 'backoff', 'crashloop', 'stopped', 'completed'].map(format.stateTone))
      .toEqual(['ok', 'progress', 'warn', 'bad', 'idle', 'idle']);
    expect(format.belongsTo('web-1', 'web')).toBe(true);
    expect(format.belongsTo('web-api', 'web')).toBe(false);
  });
});

describe('the static routes', () => {
  const app = Fastify();
  registerWebRoutes(app);
  afterAll(() => app.close());

  it('serve the known files with their types, and nothing else', async () => {
    for (const [file, type] of Object.entries(WEB_FILES)) {
      const response = await app.inject({ url: `/ui/${file}` });
      expect(response.statusCode, file).toBe(200);
      expect(response.headers['content-type'], file).toBe(type);
      expect(response.headers['cache-control'], file).toBe('no-cache');
      expect(response.headers['content-security-policy'], file).toContain("script-src 'self'");
    }
    const index = await app.inject({ url: '/ui/' });
    expect(index.body).toContain('<script type="module" src="app.js">');
    expect((await app.inject({ url: '/ui/nope.js' })).json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no such file: /ui/nope.js' } });
    for (const url of ['/ui/routes.ts', '/ui/..%2Froutes.ts', '/ui/%2e%2e%2fpackage.json', '/ui/constructor', '/ui/__proto__']) {
      expect((await app.inject({ url })).statusCode, url).toBe(404);
    }
    expect((await app.inject({ url: '/' })).headers.location).toBe('/ui/');
    expect((await app.inject({ url: '/ui' })).headers.location).toBe('/ui/');
  });

  it('find the files beside the bundle (dist/ in a checkout) or beside the source', () => {
    const fromSource = staticDir(pathToFileURL(path.join(STATIC, '..', 'routes.ts')).href);
    expect(fileURLToPath(fromSource)).toBe(`${STATIC}/`);
    const fromDist = staticDir(pathToFileURL(path.join(STATIC, '../../../dist/chunk-ABC.js')).href);
    expect(fileURLToPath(fromDist)).toBe(`${STATIC}/`);
  });

  it('answer 500 when the files are missing, without telling where they were looked for', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hxe-web-'));
    const empty = Fastify();
    registerWebRoutes(empty, { dir: pathToFileURL(`${dir}/`) });
    const response = await empty.inject({ url: '/ui/' });
    expect(response.statusCode).toBe(500);
    expect(response.json().error.message).toBe('the page\'s file index.html is missing from this installation of hxe');
    expect(response.body).not.toContain(dir);
    await empty.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
