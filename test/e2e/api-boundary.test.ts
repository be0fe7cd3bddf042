/**
 * Issue 11, items 3 and 4 end to end: the API accepts only what a manifest
 * could say (and answers 4xx, never 5xx, to anything else), a store holding
 * an invalid record still loads, and a failed store write changes nothing.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestHome, type TestHome } from '../helpers/hxe.js';
import { waitFor } from '../helpers/processes.js';

let t: TestHome;
beforeEach(async () => { t = await createTestHome(); });
afterEach(async () => { await t.cleanup(); });

interface Answer { status: number; body: string; headers: http.IncomingHttpHeaders; bytes: number }

function request(socketPath: string, method: string, url: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path: url, headers: body === undefined ? {} : { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, body: bytes.toString('utf8'), headers: res.headers, bytes: bytes.length });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const post = (url: string, body: unknown) => request(path.join(t.home, 'agent.sock'), 'POST', url, JSON.stringify(body));

function issuesOf(answer: Answer): string[] {
  const { error } = JSON.parse(answer.body) as { error: { issues?: { service: string; path: string; message: string }[] } };
  return (error.issues ?? []).map((issue) => `${issue.service}: ${issue.path}: ${issue.message}`);
}

describe('the API validates like the manifest loader', () => {
  it('refuses the requests of issue 11 naming the field, and the home keeps working', async () => {
    await t.run(['apply', '-f', await t.write('a.hcl', 'service "web" {\n command = "sleep 1000"\n}\n')]);
    // The request that used to brick a home: stored complete (manifest defaults), so every command still works.
    expect((await post('/v1/apply', { source: '/x', services: [{ name: 'evil', spec: { command: 'sleep 1' } }] })).status).toBe(200);
    expect((await t.get()).map((v) => [v.name, v.spec.depends_on])).toEqual([['evil', []], ['web', []]]);
    expect((await t.run(['delete', 'evil'])).code).toBe(0);

    const spec = (extra: object) => ({ command: 'sleep 1', ...extra });
    const bad = await post('/v1/apply', { source: '/x', services: [
      { name: 'a', spec: spec({ instances: -5, stop_signal: 'SIGNOPE', environment: { 'BAD-KEY': 'x' } }) },
      { name: 'b', spec: spec({ instances: '3' }) },
    ] });
    expect(bad.status).toBe(400);
    expect(issuesOf(bad)).toEqual([
      expect.stringMatching(/^a: environment\.BAD-KEY: invalid variable name/),
      'a: instances: expected at least 0, got -5',
      expect.stringMatching(/^a: stop_signal: expected a signal name .*"SIGNOPE"/),
      'b: instances: expected an integer, got "3"',
    ]);
    const cycle = await post('/v1/apply', { source: '/x', services: [
      { name: 'c1', spec: spec({ depends_on: ['c2'] }) }, { name: 'c2', spec: spec({ depends_on: ['c1'] }) },
    ] });
    expect(cycle.status).toBe(400);
    expect(issuesOf(cycle)).toEqual(['c1: depends_on: dependency cycle: c1 → c2 → c1']);
    const unknown = await post('/v1/plan', { source: '/x', services: [{ name: 'api', spec: spec({ depends_on: ['web', 'nope'] }) }] });
    expect(issuesOf(unknown)).toEqual(['api: depends_on[1]: unknown service "nope"']);

    for (const [url, body] of [['/v1/delete', { names: 'x' }], ['/v1/stop', { names: 'x' }], ['/v1/delete', { all: 'yes' }], ['/v1/agent/stop', { keepServices: 'false' }]] as const) {
      const answer = await post(url, body);
      expect(answer.status, `${url} ${JSON.stringify(body)}`).toBe(400);
      expect(JSON.parse(answer.body).error.message).toMatch(/names|all|keepServices/);
    }
    expect((await t.get()).map((v) => [v.name, v.status.state])).toEqual([['web', 'running']]);
  });

  it('lists services as JSON of the exact length it announces, filtered by name, and refuses a bad name', async () => {
    await t.run(['apply', '-f', await t.write('a.hcl', 'service "web" {\n command = "sleep 1000"\n environment = { GREETING = "hello" }\n labels = { note = "café ☕" }\n}\nservice "db" {\n command = "sleep 1000"\n}\n')]);
    const socket = path.join(t.home, 'agent.sock');
    const all = await request(socket, 'GET', '/v1/services');
    expect(all.status).toBe(200);
    expect(all.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(all.headers['content-length'])).toBe(all.bytes);
    const views = JSON.parse(all.body) as { name: string; spec: { environment: Record<string, string> } }[];
    expect(views.map((v) => v.name)).toEqual(['db', 'web']);
    expect(views[1].spec.environment).toEqual({ GREETING: '(redacted)' });
    expect(all.body).toContain('café ☕'); // more bytes than characters: the length counts bytes
    const one = await request(socket, 'GET', '/v1/services?name=web');
    expect((JSON.parse(one.body) as { name: string }[]).map((v) => v.name)).toEqual(['web']);
    const bad = await request(socket, 'GET', '/v1/services?name=Not_A_Name');
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('answers 4xx, never 5xx, to thousands of malformed requests, and its store still loads', async () => {
    // A name the fuzz never sends: its requests cannot stop or delete it.
    await t.run(['apply', '-f', await t.write('a.hcl', 'service "keeper" {\n command = "sleep 1000"\n}\n')]);
    const socket = path.join(t.home, 'agent.sock');
    const random = seeded(11);
    const counts = { requests: 0, ok: 0, client: 0, server: 0 };
    const failures: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const { method, url, body } = fuzzRequest(random);
      const answer = await request(socket, method, url, body).catch((err: Error) => ({ status: 599, body: err.message }));
      counts.requests++;
      if (answer.status >= 500) {
        counts.server++;
        failures.push(`${method} ${url} ${body?.slice(0, 200)} → ${answer.status} ${answer.body.slice(0, 200)}`);
      } else if (answer.status >= 400) counts.client++;
      else counts.ok++;
    }
    console.log(`API fuzz: ${counts.requests} requests, ${counts.ok} 2xx (valid dry runs, unknown names…), ${counts.client} 4xx, ${counts.server} 5xx`);
    expect(failures).toEqual([]);
    expect(counts.client).toBeGreaterThan(counts.requests / 2);
    expect((await request(socket, 'GET', '/v1/health')).status).toBe(200);
    // The store written meanwhile loads in a new agent with nothing set aside.
    expect((await t.run(['agent', 'stop', '--keep-services'])).code).toBe(0);
    expect((await t.run(['agent', 'start'])).code).toBe(0);
    const status = JSON.parse((await t.run(['agent', 'status', '-o', 'json'])).stdout);
    expect(status.setAside).toEqual([]);
    expect((await t.get(['keeper']))[0].status.state).toBe('running');
  }, 240_000);
});

describe('a store holding an invalid record', () => {
  it('loads with that record set aside and reported; the others run; delete forgets it', async () => {
    await t.run(['apply', '-f', await t.write('a.hcl', 'service "web" {\n command = "sleep 1000"\n}\n')]);
    await t.run(['agent', 'stop']);
    const file = path.join(t.home, 'store.json');
    const doc = JSON.parse(await fs.readFile(file, 'utf8'));
    doc.services.evil = { ...doc.services.web, metadata: { ...doc.services.web.metadata, name: 'evil' }, spec: { ...doc.services.web.spec, depends_on: 7 } };
    await fs.writeFile(file, JSON.stringify(doc));
    expect((await t.run(['agent', 'start'])).code).toBe(0);
    expect((await t.get()).map((v) => v.name)).toEqual(['web']);
    const status = await t.run(['agent', 'status']);
    expect(status.stdout).toMatch(/set aside .*evil: spec\.depends_on: expected a list.*hxe delete evil/);
    expect((await t.run(['events'])).stdout).toMatch(/evil.*set aside/);
    expect((await t.run(['delete', 'evil'])).stdout).toContain('evil deleted');
    expect((await t.run(['agent', 'status'])).stdout).not.toContain('set aside');
    expect(JSON.parse(await fs.readFile(file, 'utf8')).setAside).toEqual({});
  });
});

describe('a failed store write', () => {
  it('fails the apply naming the path and changes nothing, even for a later unrelated apply', async () => {
    const a = await t.write('a.hcl', 'service "web" {\n command = "sleep 1000"\n}\n');
    await t.run(['apply', '-f', a]);
    const before = await t.waitForInstance('web', (v) => v.status.state === 'running', 'running');
    // A directory where the store's temp file goes: the write fails, even for root.
    const temp = path.join(t.home, '.store.json.tmp');
    // A status write may hold the temp name for an instant.
    await waitFor(() => fs.mkdir(temp).then(() => true, () => false), { what: 'temp path taken by a directory' });
    await t.write('a.hcl', 'service "web" {\n command = "sleep 2000"\n}\n');
    const failed = await t.run(['apply', '-f', a]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(path.join(t.home, 'store.json'));
    expect((await t.run(['delete', 'web'])).code).toBe(1);
    const during = (await t.get(['web']))[0];
    expect([during.spec.command, during.metadata.generation, during.status.pid]).toEqual(['sleep 1000', 1, before.status.pid]);
    await fs.rmdir(temp);
    expect((await t.run(['apply', '-f', await t.write('b.hcl', 'service "other" {\n command = "sleep 1000"\n}\n')])).code).toBe(0);
    const stored = JSON.parse(await fs.readFile(path.join(t.home, 'store.json'), 'utf8'));
    expect(stored.services.web.spec.command).toBe('sleep 1000');
    expect(stored.services.other).toBeDefined();
    expect((await t.get(['web']))[0].status.pid).toBe(before.status.pid);
  });
});

describe('a full disk', () => {
  it('ENOSPC on a tiny tmpfs: the apply fails naming the path, the old spec runs, a later apply does not carry it', async (context) => {
    await fs.mkdir(t.home, { recursive: true });
    const mounted = await run('mount', ['-t', 'tmpfs', '-o', 'size=80k', 'tmpfs', t.home]);
    if (!mounted) context.skip();
    try {
      const a = await t.write('a.hcl', 'service "web" {\n command = "sleep 1000"\n}\n');
      await t.run(['apply', '-f', a]);
      const before = await t.waitForInstance('web', (v) => v.status.state === 'running', 'running');
      await run('dd', ['if=/dev/zero', `of=${path.join(t.home, 'filler')}`, 'bs=1k']);
      // Another file: changing a.hcl would let the CLI drop a.hcl's old parse-cache entries and free the space.
      const changed = await t.write('a2.hcl', 'service "web" {\n command = "sleep 2000"\n}\n');
      const failed = await t.run(['apply', '-f', changed]);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(new RegExp(`cannot write the store ${path.join(t.home, 'store.json')}: ENOSPC`));
      expect((await t.get(['web']))[0]).toMatchObject({ spec: { command: 'sleep 1000' }, status: { pid: before.status.pid } });
      await fs.rm(path.join(t.home, 'filler'));
      expect((await t.run(['apply', '-f', await t.write('b.hcl', 'service "other" {\n command = "sleep 1000"\n}\n')])).code).toBe(0);
      const onDisk = JSON.parse(await fs.readFile(path.join(t.home, 'store.json'), 'utf8'));
      expect(onDisk.services.web.spec.command).toBe('sleep 1000');
    } finally {
      await t.run(['agent', 'stop']);
      await run('umount', [t.home]);
    }
  });
});

/** Runs a command; true when it exited 0. */
function run(file: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => execFile(file, args, (error) => resolve(!error)));
}

/** A small deterministic PRNG (mulberry32): a failure replays. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const FIELDS = ['source', 'services', 'name', 'spec', 'names', 'all', 'prune', 'dryRun', 'checkIndex', 'command', 'instances',
  'depends_on', 'environment', 'health_check', 'type', 'port', 'stop_signal', 'stop_timeout', 'backoff', 'initial', 'resources',
  'cpu_limit', 'memory_limit', 'watch', 'paths', 'logs', '__proto__', 'constructor', ''];
const STRINGS = ['', 'web', '../../etc', '/', 'a'.repeat(70), 'SIGTERM', 'SIGNOPE', '10s', '-1', 'x\u0000y', '\u202e', 'env:HOME', 'tcp'];

function randomValue(random: () => number, depth = 0): unknown {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const roll = random();
  if (depth > 3 || roll < 0.3) {
    return pick<unknown>([null, true, false, 0, -5, 1.5, 1e308, -1e308, 2 ** 53 + 1, 65536, pick(STRINGS), 'y'.repeat(10_000)]);
  }
  if (roll < 0.55) return Array.from({ length: Math.floor(random() * (depth === 0 && random() < 0.05 ? 2000 : 4)) }, () => randomValue(random, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(random() * 5); i > 0; i--) object[pick(FIELDS)] = randomValue(random, depth + 1);
  return object;
}

/** A valid dry-run apply with one field somewhere replaced by a random value (dryRun itself is never touched). */
function mutatedApply(random: () => number): unknown {
  const request = { source: '/fuzz', dryRun: true, services: [{ name: 'web', file: '/fuzz/a.hcl', line: 1, spec: {
    command: 'sleep 1000', instances: 1, depends_on: [], environment: { A: 'b' }, stop_timeout: 10_000,
    health_check: { type: 'tcp', port: 80, interval: 1000, timeout: 500, retries: 3, start_period: 0 },
    resources: { cpu_limit: 500, memory_limit: 1024 }, backoff: { initial: 1000, multiplier: 2, max: 300_000, reset_after: 60_000 },
  } }] };
  let target: Record<string, unknown> = request.services[0];
  for (;;) {
    const keys = Object.keys(target);
    const key = keys[Math.floor(random() * keys.length)];
    const value = target[key];
    if (value && typeof value === 'object' && !Array.isArray(value) && random() < 0.6) target = value as Record<string, unknown>;
    else { target[key] = randomValue(random); return request; }
  }
}

function fuzzRequest(random: () => number): { method: string; url: string; body?: string } {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const roll = random();
  if (roll < 0.1) {
    const query = encodeURIComponent(String(pick(STRINGS)));
    return { method: 'GET', url: pick([`/v1/services?name=${query}`, `/v1/events?limit=${query}`, `/v1/services/${query}`, `/v1/services/web/logs?tail=${query}`]) };
  }
  const url = pick(['/v1/apply', '/v1/plan', '/v1/apply', '/v1/delete', '/v1/stop', '/v1/start', '/v1/restart']);
  if (roll < 0.15) return { method: 'POST', url, body: pick(['{"source": ', '[', 'nul', '"\\ud800"', '{"a":1,"a":2}', '['.repeat(20_000), `[${'1,'.repeat(1_000_000)}1]`]) };
  const body = url === '/v1/apply' && roll < 0.6 ? mutatedApply(random) : randomValue(random);
  // Never `all: true`: the home's service must survive the fuzz.
  if (url === '/v1/delete' && body && typeof body === 'object' && (body as Record<string, unknown>).all === true) return { method: 'POST', url, body: '{"all":1}' };
  if (url === '/v1/apply' && body && typeof body === 'object' && !Array.isArray(body)) (body as Record<string, unknown>).dryRun = true;
  return { method: 'POST', url, body: JSON.stringify(body) };
}
