/**
 * The browser of the page's tests: Debian's chromium at /usr/bin/chromium,
 * driven by playwright-core (which never downloads a browser). When it is
 * missing and this process may install packages (root, apt-get), it is
 * installed once; otherwise the tests that need it are skipped, saying why.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a quiet, headless, sandbox-less run in a container. */
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Ensures chromium is installed; returns why not when it cannot be. */
export function ensureChromium(): { ok: true } | { ok: false; reason: string } {
  if (existsSync(CHROMIUM_PATH)) return { ok: true };
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    return { ok: false, reason: `${CHROMIUM_PATH} is missing and cannot be installed here (needs root and apt-get): apt-get install -y chromium` };
  }
  const apt = (args: string[]) => execFileSync('apt-get', args, {
    stdio: 'ignore', timeout: 600_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  try {
    try {
      apt(['install', '-y', 'chromium']);
    } catch {
      apt(['update']);
      apt(['install', '-y', 'chromium']);
    }
  } catch (err) {
    return { ok: false, reason: `${CHROMIUM_PATH} is missing and apt-get install -y chromium failed: ${String(err)}` };
  }
  return existsSync(CHROMIUM_PATH) ? { ok: true } : { ok: false, reason: `apt-get installed chromium but ${CHROMIUM_PATH} is still missing` };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS, timeout: 30_000 });
}
