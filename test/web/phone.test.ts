import type { Browser, Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../src/api/protocol.js';
import { createTestHome, type TestHome } from '../helpers/hxe.js';
import { fixtureCommand } from '../helpers/processes.js';
import { ensureChromium, launchChromium } from './chromium.js';

const chromiumReady = ensureChromium();
if (!chromiumReady.ok) console.warn(`test/web/phone.test.ts skipped: ${chromiumReady.reason}`);

let t: TestHome;
let browser: Browser | null = null;
beforeEach(async () => { t = await createTestHome(); });
afterEach(async () => {
  await browser?.close();
  browser = null;
  await t.cleanup();
});

const WIDTH = 390;

async function openOnPhone(url: string, token: string): Promise<{ page: Page; problems: string[] }> {
  const context = await browser!.newContext({ viewport: { width: WIDTH, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 3 });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
  await page.goto(`${url}/ui/#token=${encodeURIComponent(token)}`);
  await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: 15_000 });
  await page.locator('[data-testid="service-row"][data-name="web"][data-state="running"]').waitFor({ timeout: 15_000 });
  return { page, problems };
}

/** Visible and wholly inside the phone's width. */
async function inView(page: Page, selector: string): Promise<boolean> {
  const box = await page.locator(selector).first().boundingBox();
  return box !== null && box.width > 0 && box.x >= 0 && box.x + box.width <= WIDTH;
}

describe.skipIf(!chromiumReady.ok)('the live page on a phone (390 px)', () => {
  it('fits the width with pid, CPU and memory in view; an admin can restart, a reader cannot', async () => {
    const config = await t.write('etc/agent.hcl', 'server {\n  host = "127.0.0.1"\n  port = 0\n  auth {\n    type = "jwt"\n    secret = "phone-secret-0123456789abcdef0123456789"\n  }\n}\n');
    expect((await t.run(['agent', 'start', '--config', config])).code).toBe(0);
    const url = (JSON.parse((await t.run(['agent', 'status', '-o', 'json'])).stdout) as AgentStatus).server!;
    const manifest = await t.write('web.hcl', `service "web" {\n  command = ${JSON.stringify(fixtureCommand('forever.mjs'))}\n}\nservice "a-service-with-a-rather-long-name" {\n  command = ${JSON.stringify(fixtureCommand('forever.mjs'))}\n}\n`);
    expect((await t.run(['apply', '-f', manifest])).code).toBe(0);
    const before = await t.waitForInstance('web', (v) => v.status.state === 'running', 'running');
    const read = (await t.run(['token', 'create', '--role', 'read', '--subject', 'viewer'])).stdout.trim();
    const admin = (await t.run(['token', 'create', '--subject', 'ops'])).stdout.trim();
    browser = await launchChromium();

    const reader = await openOnPhone(url, read);
    const row = '[data-testid="service-row"][data-name="web"]';
    expect(await reader.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(WIDTH);
    for (const part of ['pid', 'cpu', 'memory']) expect(await inView(reader.page, `${row} [data-testid="${part}"]`), part).toBe(true);
    expect(await reader.page.locator(`${row} [data-testid="pid"]`).textContent()).toBe(String(before.status.pid));
    expect(await reader.page.locator('[data-testid="restart"], [data-testid="stop"]').count()).toBe(0);
    expect(reader.problems).toEqual([]);

    const ops = await openOnPhone(url, admin);
    await ops.page.locator(`${row} [data-testid="restart"]`).waitFor({ timeout: 10_000 });
    expect(await ops.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(WIDTH);
    expect(await inView(ops.page, `${row} [data-testid="restart"]`)).toBe(true);
    expect(await inView(ops.page, `${row} [data-testid="stop"]`)).toBe(true);
    await ops.page.locator(`${row} [data-testid="restart"]`).click();
    const after = await t.waitForInstance('web', (v) => v.status.state === 'running' && v.status.pid !== before.status.pid, 'restarted');
    await ops.page.locator(`${row}[data-pid="${after.status.pid}"]`).waitFor({ timeout: 10_000 });
    expect(ops.problems).toEqual([]);
  }, 120_000);
});
