/**
 * Secrets at rest through the built CLI and a real agent: the value reaches
 * the service's environment and nothing else (home, outputs, events, audit),
 * a changed secret is a change that diff names and apply rolls out.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestHome, REPO, type CliResult, type TestHome } from '../helpers/hxe.js';
import { waitFor } from '../helpers/processes.js';

const FIRST = 'first-S3CRET-value-91d2';
const SECOND = 'second-S3CRET-value-77af';
const PRINT_ENV = path.join(REPO, 'test/fixtures/print-env.mjs');

let t: TestHome;
beforeEach(async () => { t = await createTestHome(); });
afterEach(async () => { await t.cleanup(); });

/** The CLI with `input` on its stdin. */
function runWithInput(args: string[], input: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [path.join(REPO, 'bin/hxe'), ...args], {
      cwd: t.dir, env: { ...process.env, HXE_HOME: t.home, NO_COLOR: '1', ...env }, timeout: 60_000,
    }, (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }));
    child.stdin?.end(input);
  });
}

/** Every file under `dir`, as text (binary bytes kept): where a value must not be. */
async function allText(dir: string): Promise<string> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true });
  const files = entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
  return (await Promise.all(files.map((f) => fs.readFile(f, 'latin1').catch(() => '')))).join('\n');
}

const manifest = `service "app" {
  command = "node ${PRINT_ENV} DB_PASS HXE_SECRET_KEY"
  environment = { DB_PASS = "secret:db-pass", MODE = "plain" }
}
`;

async function envLine(afterLines: number): Promise<Record<string, string | null>> {
  const log = path.join(t.home, 'logs', 'app.out.log');
  const lines = await waitFor(async () => {
    const text = await fs.readFile(log, 'utf8').catch(() => '');
    const all = text.split('\n').filter(Boolean);
    return all.length > afterLines ? all : undefined;
  }, { timeoutMs: 20_000, what: `line ${afterLines + 1} of app's log` });
  return (JSON.parse(lines[afterLines]) as { env: Record<string, string | null> }).env;
}

describe('secrets', () => {
  it('reach only the environment of the processes that use them; a changed one is a change diff names', async () => {
    const file = await t.write('app.hcl', manifest);
    const missing = await t.run(['apply', '-f', file]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/app\.hcl:1: service "app": environment\.DB_PASS: secret:db-pass is not set/);
    const asArg = await t.run(['secret', 'set', 'db-pass', FIRST]);
    expect(asArg.code).toBe(2);
    expect(asArg.stdout + asArg.stderr).not.toContain(FIRST);

    const outputs: CliResult[] = [missing, asArg];
    outputs.push(await runWithInput(['secret', 'set', 'db-pass'], `${FIRST}\n`));
    expect(outputs.at(-1)!.code).toBe(0);
    outputs.push(await t.run(['apply', '-f', file]));
    expect((await envLine(0))).toEqual({ DB_PASS: FIRST, HXE_SECRET_KEY: null });

    outputs.push(await runWithInput(['secret', 'set', 'db-pass'], SECOND));
    const diff = await t.run(['diff', '-f', file]);
    outputs.push(diff);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toMatch(/~ app .*restarts app/);
    expect(diff.stdout).toContain('environment.DB_PASS: (redacted) changed');
    outputs.push(await t.run(['apply', '-f', file]));
    expect((await envLine(1)).DB_PASS).toBe(SECOND);
    const again = await t.run(['diff', '-f', file]);
    expect(again.code).toBe(0);

    for (const args of [['get', '-o', 'json'], ['describe', 'app'], ['events'], ['events', '--audit'], ['secret', 'list', '-o', 'json'], ['secret', 'list']]) {
      outputs.push(await t.run(args));
      expect(outputs.at(-1)!.code, args.join(' ')).toBe(0);
    }
    expect(outputs.at(-1)!.stdout).toMatch(/db-pass/);
    const home = await allText(t.home);
    // The service's own log holds what it printed: its environment. Everything else must not.
    const withoutServiceLogs = home.replace(/\{"env":\{[^\n]*\n/g, '');
    for (const value of [FIRST, SECOND]) {
      expect(withoutServiceLogs).not.toContain(value);
      for (const output of outputs) expect(output.stdout + output.stderr).not.toContain(value);
    }
    outputs.push(await t.run(['secret', 'rm', 'db-pass']));
    expect(outputs.at(-1)!.code).toBe(0);
    expect((await t.run(['secret', 'rm', 'db-pass'])).code).toBe(1);
  });

  it('with a managed key (HXE_SECRET_KEY), writes no key file and hides the key from services', async () => {
    const key = 'c0ffee'.repeat(10) + 'c0ff';
    const env = { HXE_SECRET_KEY: key };
    expect((await t.run(['agent', 'start'], { env })).code).toBe(0);
    expect((await runWithInput(['secret', 'set', 'db-pass'], FIRST, env)).code).toBe(0);
    const file = await t.write('app.hcl', manifest);
    expect((await t.run(['apply', '-f', file], { env })).code).toBe(0);
    expect(await envLine(0)).toEqual({ DB_PASS: FIRST, HXE_SECRET_KEY: null });
    await expect(fs.stat(path.join(t.home, 'secret.key'))).rejects.toThrow(/ENOENT/);
    expect(await allText(t.home)).not.toContain(key);
  });
});
