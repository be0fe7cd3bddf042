import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestHome, type TestHome } from '../helpers/hxe.js';

const SECRET = 's3cr3t-value-that-must-not-leak';

const twoServices = (webCommand = 'sleep 1000') => `
service "web" {
  command = "${webCommand}"
  environment = {
    API_KEY = "${SECRET}"
  }
}
service "db" {
  command = "sleep 1001"
}
`;

let t: TestHome;
beforeEach(async () => { t = await createTestHome(); });
afterEach(async () => { await t.cleanup(); });

describe('declarative core, end to end', () => {
  it('applies, lists, diffs empty, diffs a change by field, and bumps only that generation', async () => {
    const file = await t.write('services.hcl', twoServices());
    const applied = await t.run(['apply', '-f', file]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('+ web');

    const views = await t.get();
    expect(views.map((v) => [v.name, v.metadata.generation])).toEqual([['db', 1], ['web', 1]]);
    expect(views[1].metadata.source).toBe(file);
    expect(views[1].spec.environment.API_KEY).toBe('(redacted)');

    const same = await t.run(['diff', '-f', file]);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('No changes');

    await t.write('services.hcl', twoServices('sleep 2000'));
    const changed = await t.run(['diff', '-f', file]);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain('~ web');
    expect(changed.stdout).toContain('command: "sleep 1000" → "sleep 2000"');
    expect(changed.stdout).not.toContain('db');

    const dry = await t.run(['apply', '-f', file, '--dry-run']);
    expect(dry.stdout).toContain('dry run');
    expect((await t.get()).find((v) => v.name === 'web')?.metadata.generation).toBe(1);

    expect((await t.run(['apply', '-f', file])).code).toBe(0);
    const after = await t.get();
    expect(after.map((v) => [v.name, v.metadata.generation])).toEqual([['db', 1], ['web', 2]]);
  });

  it('diff -o json gives the field changes', async () => {
    const file = await t.write('services.hcl', twoServices());
    await t.run(['apply', '-f', file]);
    await t.write('services.hcl', twoServices('sleep 3000'));
    const result = await t.run(['diff', '-f', file, '-o', 'json']);
    const parsed = JSON.parse(result.stdout);
    expect(parsed.index).toBe((await t.api.agentStatus()).revision);
    const web = parsed.services.find((s: { name: string }) => s.name === 'web');
    expect(web).toMatchObject({ kind: 'update', generation: 2, restart: true });
    expect(web.changes).toEqual([{ op: 'replace', path: 'command', from: 'sleep 1000', to: 'sleep 3000' }]);
  });

  it('prunes only what this source set applied before', async () => {
    const a = await t.write('a.hcl', 'service "one" {\n command = "sleep 1000"\n}\nservice "two" {\n command = "sleep 1000"\n}\n');
    const b = await t.write('b.hcl', 'service "other" {\n command = "sleep 1000"\n}\n');
    await t.run(['apply', '-f', a]);
    await t.run(['apply', '-f', b]);
    await t.write('a.hcl', 'service "one" {\n command = "sleep 1000"\n}\n');
    const diff = await t.run(['diff', '-f', a, '--prune']);
    expect(diff.stdout).toContain('- two');
    expect(diff.stdout).not.toContain('other');
    expect((await t.run(['apply', '-f', a, '--prune'])).code).toBe(0);
    expect((await t.get()).map((v) => v.name)).toEqual(['one', 'other']);
  });

  it('refuses an invalid set as a whole: exit 2, every error named, nothing applied', async () => {
    const good = await t.write('set/good.hcl', 'service "fine" {\n command = "sleep 1000"\n}\n');
    await t.write('set/bad.hcl', 'service "web" {\n  command = "sleep 1"\n  health_check {\n    type = "htp"\n  }\n}\nservice "Bad_Name" {\n  command = "x"\n}\n');
    const result = await t.run(['apply', '-f', path.dirname(good)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bad\.hcl:4: service "web": health_check\.type: expected one of http, tcp, exec, got "htp"/);
    expect(result.stderr).toMatch(/Bad_Name/);
    expect(await t.get()).toEqual([]);
  });

  it('never shows a secret value in output or the agent log, yet says it changed', async () => {
    const file = await t.write('services.hcl', twoServices());
    const outputs = [await t.run(['apply', '-f', file])];
    await t.write('services.hcl', twoServices().replace(SECRET, `${SECRET}-rotated`));
    outputs.push(await t.run(['diff', '-f', file]));
    expect(outputs[1].stdout).toContain('environment.API_KEY: (redacted) changed');
    outputs.push(await t.run(['apply', '-f', file]));
    outputs.push(await t.run(['get', '-o', 'yaml']));
    outputs.push(await t.run(['get', '-o', 'wide']));
    outputs.push(await t.run(['describe', 'web']));
    outputs.push(await t.run(['events']));
    for (const output of outputs) expect(output.stdout + output.stderr).not.toContain(SECRET);
    const agentLog = await fs.readFile(path.join(t.home, 'agent.log'), 'utf8');
    expect(agentLog).toContain('"msg":"applied"');
    expect(agentLog).not.toContain(SECRET);
  });

  it('reports a corrupt store with its path, keeps it, and changes nothing', async () => {
    const file = await t.write('services.hcl', twoServices());
    await t.run(['apply', '-f', file]);
    await t.run(['agent', 'stop']);
    const store = path.join(t.home, 'store.json');
    await fs.writeFile(store, '{ "format": 1, "services": { "web": ');
    // Read without an agent: reported, left exactly where it is.
    const read = await t.run(['get']);
    expect(read.code).toBe(1);
    expect(read.stderr).toMatch(/store .*store\.json is corrupt/);
    expect(await fs.readFile(store, 'utf8')).toBe('{ "format": 1, "services": { "web": ');
    // The agent, its only writer, keeps it aside and refuses to start.
    const result = await t.run(['agent', 'start']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/store .*store\.json is corrupt/);
    const kept = (await fs.readdir(t.home)).filter((name) => name.startsWith('store.json.corrupt-'));
    expect(kept).toHaveLength(1);
    expect(result.stderr).toContain(path.join(t.home, kept[0]));
    expect(await fs.readFile(path.join(t.home, kept[0]), 'utf8')).toBe('{ "format": 1, "services": { "web": ');
    // Every later command still reports it rather than starting empty.
    const again = await t.run(['get']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(kept[0]);
    await fs.rm(path.join(t.home, kept[0]));
  });

  it('deletes by name, by file and all', async () => {
    const file = await t.write('services.hcl', twoServices());
    await t.run(['apply', '-f', file]);
    expect((await t.run(['delete', 'db'])).stdout).toContain('db deleted');
    expect((await t.get()).map((v) => v.name)).toEqual(['web']);
    expect((await t.run(['delete', 'nope'])).code).toBe(1);
    await t.run(['apply', '-f', file]);
    await t.run(['delete', '-f', file]);
    expect(await t.get()).toEqual([]);
    await t.run(['apply', '-f', file]);
    await t.run(['delete', '--all']);
    expect(await t.get()).toEqual([]);
  });

  it('exits 2 on bad usage', async () => {
    expect((await t.run(['apply'])).code).toBe(2);
    expect((await t.run(['frobnicate'])).code).toBe(2);
  });
});
