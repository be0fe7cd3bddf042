import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { AgentStatus } from '../../src/api/protocol.js';
import { createTestHome, type TestHome } from '../helpers/hxe.js';
import { fixtureCommand } from '../helpers/processes.js';
import { ensureChromium, launchChromium } from './chromium.js';

const chromiumReady = ensureChromium();
if (!chromiumReady.ok) console.warn(`test/web/roles.test.ts skipped: ${chromiumReady.reason}`);

let t: TestHome;
let browser: Browser | null = null;
beforeEach(async () => { t = await createTestHome(); });
afterEach(async () => {
  await browser?.close();
  browser = null;
  await t.cleanup();
});

async function openWith(url: string, token: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser!.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
  await page.goto(`${url}/ui/#token=${encodeURIComponent(token)}`);
  await page.locator('[data-testid="connection"][data-state="live"]').waitFor({ timeout: 15_000 });
  return { page, problems };
}

describe.skipIf(!chromiumReady.ok)('the live page with JWTs from token create', () => {
  it('works with a read token (read-only) and with an admin one', async () => {
    const config = await t.write('etc/agent.hcl', 'server {\n  host = "127.0.0.1"\n  port = 0\n  auth {\n    type = "jwt"\n    secret = "page-secret-0123456789abcdef0123456789"\n  }\n}\n');
    expect((await t.run(['agent', 'start', '--config', config])).code).toBe(0);
    const url = (JSON.parse((await t.run(['agent', 'status', '-o', 'json'])).stdout) as AgentStatus).server!;
    const manifest = await t.write('one.hcl', `service "solo" {\n  command = ${JSON.stringify(fixtureCommand('forever.mjs'))}\n}\n`);
    expect((await t.run(['apply', '-f', manifest])).code).toBe(0);
    const read = (await t.run(['token', 'create', '--role', 'read', '--subject', 'viewer'])).stdout.trim();
    const admin = (await t.run(['token', 'create', '--subject', 'ops'])).stdout.trim();
    browser = await launchChromium();

    for (const [token, access] of [[read, 'read-only (viewer)'], [admin, 'admin (ops)']]) {
      const { page, problems } = await openWith(url, token);
      await page.locator('[data-testid="service-row"][data-name="solo"]').waitFor({ timeout: 15_000 });
      await expect.poll(() => page.locator('#agent-access').textContent()).toBe(access);
      expect(problems).toEqual([]);
      await page.close();
    }
    // What the page cannot do with the read token, the API refuses too.
    const refused = await fetch(`${url}/v1/restart`, {
      method: 'POST', headers: { authorization: `Bearer ${read}`, 'content-type': 'application/json' }, body: '{"names":["solo"]}',
    });
    expect(refused.status).toBe(403);
  }, 90_000);
});
