import os from 'node:os';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../src/api/protocol.js';
import { createTestHome, REPO, type TestHome } from '../helpers/hxe.js';
import { FIXTURES, fixtureCommand, freePort, isPidAlive } from '../helpers/processes.js';
import { ensureChromium, launchChromium } from './chromium.js';

const chromiumReady = ensureChromium();
if (!chromiumReady.ok) console.warn(`test/web/page.test.ts skipped: ${chromiumReady.reason}`);

/** A '+' and a '/' on purpose: the fragment must carry them intact. */
const TOKEN = 'page+token/0123456789abcdef';
// The docs' screenshot is rewritten only when asked (HXE_UPDATE_SCREENSHOT=1), so a test run leaves the tree clean.
const SCREENSHOT = process.env.HXE_UPDATE_SCREENSHOT ? path.join(REPO, 'docs', 'screenshot-page.png') : path.join(os.tmpdir(), 'hxe-screenshot-page.png');
const WEB_FIXTURES = path.join(REPO, 'test', 'web', 'fixtures');

let t: TestHome;
let browser: Browser | null = null;
beforeEach(async () => { t = await createTestHome(); });
afterEach(async () => {
  await browser?.close();
  browser = null;
  await t.cleanup();
});

/** A real agent with a TCP API behind a token, sampling metrics twice a second (sparklines fill fast). */
async function startAgent(): Promise<string> {
  const file = await t.write('config/agent.hcl', [
    'agent {\n  metrics {\n    interval = "500ms"\n  }\n}',
    `server {\n  host = "127.0.0.1"\n  port = 0\n  auth {\n    token = "${TOKEN}"\n  }\n}`,
  ].join('\n'));
  // `node` on the agent's PATH: the manifest says `node forever.mjs`, as a user would (and as the screenshot shows).
  const env = { PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}` };
  const started = await t.run(['agent', 'start', '--config', path.dirname(file)], { env });
  expect(started.code, started.stderr).toBe(0);
  const status = JSON.parse((await t.run(['agent', 'status', '-o', 'json'])).stdout) as AgentStatus;
  expect(status.server).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  return status.server!;
}

/** Collects what would be a bug on any page: uncaught errors and console errors. */
function watchProblems(page: Page, allowed: RegExp[] = []): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !allowed.some((pattern) => pattern.test(message.text()))) problems.push(`console: ${message.text()}`);
  });
  return problems;
}

const row = (page: Page, name: string, attributes = '') => page.locator(`[data-testid="service-row"][data-name="${name}"]${attributes}`);

describe.skipIf(!chromiumReady.ok)('the live page', () => {
  it('shows services as they come, follows a crash through backoff to the restart, and is what the docs show', async () => {
    const url = await startAgent();
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 }, colorScheme: 'light', locale: 'en-US' });
    const page = await context.newPage();
    const problems = watchProblems(page);
    const requests: { url: string; authorization: string | undefined }[] = [];
    page.on('request', (request) => requests.push({ url: request.url(), authorization: request.headers().authorization }));

    await page.goto(`${url}/ui/#token=${encodeURIComponent(TOKEN)}`);
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: 10_000 });
    await expect.poll(() => page.locator('#empty').isVisible()).toBe(true);
    // The token left the address bar for the tab's sessionStorage.
    expect(page.url()).toBe(`${url}/ui/`);

    const port = await freePort();
    const manifest = await t.write('services.hcl', `
service "api" {
  command     = "node ready-after.mjs --http ${port} 300"
  working_dir = "${FIXTURES}"
  health_check {
    type     = "http"
    url      = "http://127.0.0.1:${port}/health"
    interval = "1s"
  }
}
service "worker" {
  command     = "node forever.mjs"
  working_dir = "${FIXTURES}"
  backoff {
    initial = "2s"
  }
}
service "busy" {
  command     = "node busy.mjs"
  working_dir = "${WEB_FIXTURES}"
}
service "migrate" {
  command        = "node exit-with.mjs 3"
  working_dir    = "${FIXTURES}"
  restart_policy = "never"
}
service "report" {
  command        = "node chatty.mjs 5 40 50"
  working_dir    = "${FIXTURES}"
  restart_policy = "on-failure"
}
`);
    const applied = await t.run(['apply', '-f', manifest]);
    expect(applied.code, applied.stderr).toBe(0);

    // The rows appear from the event stream, without a reload.
    await row(page, 'worker', '[data-state="running"]').waitFor({ timeout: 15_000 });
    await row(page, 'api', '[data-state="healthy"][data-ready="true"]').waitFor({ timeout: 15_000 });
    await row(page, 'migrate', '[data-state="failed"]').waitFor({ timeout: 15_000 });
    await row(page, 'report', '[data-state="completed"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid="service-row"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name'))))
      .toEqual(['api', 'busy', 'migrate', 'report', 'worker']);
    const before = await t.waitForInstance('worker', (v) => v.status.state === 'running', 'running');
    expect(await row(page, 'worker').getAttribute('data-pid')).toBe(String(before.status.pid));

    // Its details: events and the tail of its logs.
    await row(page, 'worker').click();
    await expect.poll(() => page.url()).toBe(`${url}/ui/#service=worker`);
    await expect.poll(() => page.locator('#detail-title').textContent()).toMatch(/^worker/);
    await expect.poll(() => page.locator('#detail-meta code').textContent()).toBe('node forever.mjs');
    await expect.poll(() => page.locator('[data-testid="logs"]').textContent(), { timeout: 5_000 }).toContain(`started ${before.status.pid}`);

    // Crash it: the state goes to backoff (2 s), then running again with one restart.
    process.kill(before.status.pid!, 'SIGKILL');
    await row(page, 'worker', '[data-state="backoff"]').waitFor({ timeout: 5_000 });
    expect(await row(page, 'worker', '[data-state="backoff"]').getAttribute('data-ready')).toBe('false');
    await row(page, 'worker', '[data-state="running"][data-restarts="1"]').waitFor({ timeout: 10_000 });
    const after = await t.waitForInstance('worker', (v) => v.status.restarts === 1 && v.status.state === 'running', 'restarted');
    expect(after.status.pid).not.toBe(before.status.pid);
    expect(await row(page, 'worker').getAttribute('data-pid')).toBe(String(after.status.pid));
    expect(await row(page, 'worker').getByTestId('restarts').textContent()).toBe('1');
    await expect.poll(() => page.locator('[data-testid="logs"]').textContent(), { timeout: 5_000 }).toContain(`started ${after.status.pid}`);
    await expect.poll(() => page.locator('[data-testid="detail-events"] [data-type="Backoff"]').count(), { timeout: 5_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.locator('[data-testid="events"] [data-service="worker"][data-type="Backoff"]').count(), { timeout: 5_000 }).toBe(1);

    // Sparklines from the samples stream: enough points to draw a curve, and current values.
    await expect.poll(async () => ((await row(page, 'busy').locator('.spark-cpu .spark-line').getAttribute('d')) ?? '').split('L').length,
      { timeout: 15_000 }).toBeGreaterThan(14);
    await expect.poll(() => row(page, 'busy').locator('[data-testid="cpu"]').textContent(), { timeout: 5_000 }).toMatch(/^\d+(\.\d)?%$/);
    await expect.poll(() => row(page, 'worker').locator('[data-testid="memory"]').textContent(), { timeout: 5_000 }).toMatch(/^\d+(\.\d+)? MiB$/);
    expect(await row(page, 'migrate').locator('[data-testid="cpu"]').textContent()).toBe('—');
    await expect.poll(() => page.locator('[data-testid="summary"]').textContent(), { timeout: 5_000 }).toBe('5 services · 3 ready · 1 needs attention');

    await page.mouse.move(0, 0);
    const png = await page.screenshot({ type: 'png' });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    await fs.writeFile(SCREENSHOT, png);

    // The token went in a header on every API call, never in a URL.
    const calls = requests.filter((r) => new URL(r.url).pathname.startsWith('/v1/'));
    expect(calls.length).toBeGreaterThan(3);
    expect(calls.filter((r) => r.authorization !== `Bearer ${TOKEN}`)).toEqual([]);
    expect(requests.filter((r) => r.url.includes(encodeURIComponent(TOKEN)) || r.url.includes(TOKEN))).toEqual([]);
    expect(calls.some((r) => r.url.endsWith('/v1/stream?samples=1'))).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
    expect(isPidAlive(after.status.pid!)).toBe(true); // still supervised: cleanup stops it with the agent
  }, 60_000);

  it('asks for the token, refuses a wrong one, and keeps it for the tab only', async () => {
    const url = await startAgent();
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    const page = await context.newPage();
    // The browser logs the 401 answer to the wrong token's check: expected.
    const problems = watchProblems(page, [/401 \(Unauthorized\)/]);

    await page.goto(url); // / redirects to /ui/
    await expect.poll(() => new URL(page.url()).pathname).toBe('/ui/');
    const dialog = page.getByTestId('login');
    await dialog.waitFor({ state: 'visible' });
    await expect.poll(() => page.getByTestId('connection').getAttribute('data-state')).toBe('unauthorized');

    await page.getByLabel('Token').fill('not-the-token');
    await page.getByRole('button', { name: 'Connect' }).click();
    await expect.poll(() => page.locator('#login-error').textContent()).toBe('The agent refused this token.');
    expect(await dialog.isVisible()).toBe(true);

    await page.getByLabel('Token').fill(TOKEN);
    await page.getByRole('button', { name: 'Connect' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: 10_000 });
    expect(await page.evaluate('Object.entries(sessionStorage)')).toEqual([['hxe.token', TOKEN]]);

    // A reload keeps the tab's session; "Forget token" ends it, and takes what it showed along.
    const manifest = await t.write('one.hcl', `service "solo" {\n  command = ${JSON.stringify(fixtureCommand('forever.mjs'))}\n}\n`);
    expect((await t.run(['apply', '-f', manifest])).code).toBe(0);
    await page.reload();
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: 10_000 });
    await row(page, 'solo').waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Forget token' }).click();
    await dialog.waitFor({ state: 'visible' });
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    expect(await page.locator('[data-testid="service-row"]').count()).toBe(0);
    expect(await page.getByTestId('events').textContent()).toBe('No events yet.');
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});

describe('the page\'s files on the TCP API', () => {
  it('are public, typed and uncached; everything else still needs the token', async () => {
    const url = await startAgent();
    const root = await fetch(`${url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/ui/');
    for (const [file, type] of [['', 'text/html'], ['app.js', 'text/javascript'], ['style.css', 'text/css'], ['favicon.svg', 'image/svg+xml']]) {
      const response = await fetch(`${url}/ui/${file}`);
      expect(response.status, file).toBe(200);
      expect(response.headers.get('content-type'), file).toContain(type);
      expect(response.headers.get('cache-control'), file).toBe('no-cache');
    }
    const html = await (await fetch(`${url}/ui/`)).text();
    expect(html).not.toContain(TOKEN);
    expect((await fetch(`${url}/ui/../package.json`)).status).not.toBe(200);
    expect((await fetch(`${url}/ui/..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${url}/ui/routes.ts`)).status).toBe(404);
    expect((await fetch(`${url}/v1/services`)).status).toBe(401);
    expect((await fetch(`${url}/v1/stream?samples=1`)).status).toBe(401);
  });
});
