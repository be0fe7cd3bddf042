/**
 * Issue 17, item 2: `import { connect } from 'hxe'` from a package that
 * depends on hxe: the built entry (dist/index.js) resolves through
 * package.json `exports`, and its declarations typecheck a consumer.
 * Needs `node scripts/build.mjs` first, as the end-to-end tests do.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../helpers/hxe.js';

const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hxe-consumer-'));
  await fs.mkdir(path.join(dir, 'node_modules'));
  await fs.symlink(REPO, path.join(dir, 'node_modules', 'hxe'));
  await fs.writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', dependencies: { hxe: '*' } }));
});
afterAll(async () => { await fs.rm(dir, { recursive: true, force: true }); });

describe("import('hxe')", () => {
  it('resolves to the library entry, its errors carrying the CLI codes', async () => {
    await fs.writeFile(path.join(dir, 'main.mjs'), [
      "import { connect, NotFoundError, HxeError, AgentUnavailableError } from 'hxe';",
      "const client = connect({ home: process.argv[2], retry: { attempts: 1 } });",
      "const err = await client.list().catch((e) => e);",
      "console.log(JSON.stringify({ connect: typeof connect, typed: err instanceof AgentUnavailableError, base: err instanceof HxeError, code: err.code, notFound: new NotFoundError('x').code }));",
    ].join('\n'));
    const { stdout } = await run(process.execPath, ['main.mjs', path.join(dir, 'no-agent')], { cwd: dir });
    expect(JSON.parse(stdout)).toEqual({ connect: 'function', typed: true, base: true, code: 'AGENT_UNAVAILABLE', notFound: 'NOT_FOUND' });
  });

  it('typechecks a TypeScript consumer against the emitted declarations, and rejects a wrong call', async () => {
    const good = [
      "import { connect, ManifestError, type HxeEvent, type InstanceView } from 'hxe';",
      "const client = connect({ url: 'http://127.0.0.1:1', token: 't' });",
      "export async function main(): Promise<void> {",
      "  const views: InstanceView[] = await client.list(['web']);",
      "  await client.apply(['services.hcl'], { prune: true, checkIndex: 3, dryRun: true });",
      "  await client.apply([{ name: 'web', spec: { command: 'sleep 1' } }]);",
      "  for await (const event of client.events()) { const e: HxeEvent = event; console.log(e.type, views.length); break; }",
      "  for await (const chunk of client.logs('web', { follow: true })) { const text: string = chunk; console.log(text); break; }",
      "  try { await client.get('web'); } catch (err) { if (err instanceof ManifestError) console.log(err.issues[0].file, err.code); }",
      "}",
    ].join('\n');
    await fs.writeFile(path.join(dir, 'good.ts'), good);
    await fs.writeFile(path.join(dir, 'bad.ts'), "import { connect } from 'hxe';\nexport const x: number = connect().list();\n");
    const tsc = path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    const flags = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--typeRoots', path.join(REPO, 'node_modules', '@types')];
    // One run (tsc is slow on a shared machine): the only error is bad.ts's, so good.ts and the declarations check.
    const output = await run(process.execPath, [tsc, ...flags, 'good.ts', 'bad.ts'], { cwd: dir }).then(() => '', (err: { stdout: string }) => err.stdout);
    const errors = output.split('\n').filter((line) => /error TS/.test(line));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^bad\.ts\(2,\d+\): error TS2322: Type 'Promise<InstanceView\[\]>' is not assignable to type 'number'/);
  }, 120_000);
});
