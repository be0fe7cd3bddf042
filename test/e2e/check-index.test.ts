/**
 * Issue 11, item 5: `diff` prints the store index it planned against,
 * `apply --check-index N` applies only if the store is still at N, and two
 * applies at once are both safe: the result is one of the two orders.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestHome, type TestHome } from '../helpers/hxe.js';

let t: TestHome;
beforeEach(async () => { t = await createTestHome(); });
afterEach(async () => { await t.cleanup(); });

const service = (name: string, command: string) => `service "${name}" {\n  command = "${command}"\n}\n`;

interface StoredDoc { revision: number; services: Record<string, { spec: { command: string }; metadata: { source: string; generation: number } }> }

async function stored(): Promise<StoredDoc> {
  return JSON.parse(await fs.readFile(path.join(t.home, 'store.json'), 'utf8')) as StoredDoc;
}

async function diffIndex(file: string): Promise<number> {
  const result = await t.run(['diff', '-f', file, '-o', 'json']);
  return (JSON.parse(result.stdout) as { index: number }).index;
}

describe('apply --check-index', () => {
  it('applies at the index diff printed, and refuses (exit 1, nothing changed) once the store moved on', async () => {
    const a = await t.write('a.hcl', service('web', 'sleep 1000'));
    await t.run(['apply', '-f', a]);
    await t.write('a.hcl', service('web', 'sleep 1001'));
    const text = await t.run(['diff', '-f', a]);
    expect(text.stdout).toMatch(/Store index: 1 /);
    const index = await diffIndex(a);
    expect(index).toBe(1);
    // Someone else applies meanwhile.
    await t.run(['apply', '-f', await t.write('b.hcl', service('other', 'sleep 1000'))]);
    const refused = await t.run(['apply', '-f', a, '--check-index', String(index)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/store is at index 2, not 1.*nothing was applied/);
    expect((await t.get(['web']))[0].spec.command).toBe('sleep 1000');
    expect((await stored()).revision).toBe(2);
    const again = await diffIndex(a);
    expect((await t.run(['apply', '-f', a, '--check-index', String(again)])).code).toBe(0);
    expect((await t.get(['web']))[0].spec.command).toBe('sleep 1001');
    expect((await t.run(['apply', '-f', a, '--check-index', '-3'])).code).toBe(2);
    expect((await t.run(['apply', '-f', a, '--check-index'])).code).toBe(2);
  });
});

describe('two applies at once', () => {
  it('both succeed and the store is one of the two orders', async () => {
    const base = await t.write('base.hcl', service('web', 'sleep 1000'));
    await t.run(['apply', '-f', base]);
    for (let round = 1; round <= 3; round++) {
      const a = await t.write(`a${round}.hcl`, service('web', `sleep ${2000 + round}`) + service(`a${round}`, 'sleep 1000'));
      const b = await t.write(`b${round}.hcl`, service('web', `sleep ${3000 + round}`) + service(`b${round}`, 'sleep 1000'));
      const before = await stored();
      const [ra, rb] = await Promise.all([t.run(['apply', '-f', a]), t.run(['apply', '-f', b])]);
      expect([ra.code, rb.code, ra.stderr, rb.stderr]).toEqual([0, 0, '', '']);
      const after = await stored();
      expect(after.revision).toBe(before.revision + 2);
      expect(after.services[`a${round}`]).toBeDefined();
      expect(after.services[`b${round}`]).toBeDefined();
      // The last apply's web wins, with its source: never a mix of the two.
      const web = after.services.web;
      const last = web.spec.command === `sleep ${2000 + round}` ? a : b;
      expect(web.spec.command).toMatch(new RegExp(`^sleep (${2000 + round}|${3000 + round})$`));
      expect(web.metadata.source).toBe(last);
      expect(web.metadata.generation).toBe(before.services.web.metadata.generation + 2);
    }
  }, 120_000);

  it('with --check-index of the same plan: exactly one applies, the other is refused and changes nothing', async () => {
    const base = await t.write('base.hcl', service('web', 'sleep 1000'));
    await t.run(['apply', '-f', base]);
    const a = await t.write('a.hcl', service('web', 'sleep 2000'));
    const b = await t.write('b.hcl', service('web', 'sleep 3000'));
    const index = await diffIndex(a);
    const results = await Promise.all([a, b].map((file) => t.run(['apply', '-f', file, '--check-index', String(index)])));
    expect(results.map((r) => r.code).sort()).toEqual([0, 1]);
    const winner = results[0].code === 0 ? a : b;
    expect(results.find((r) => r.code === 1)!.stderr).toMatch(/not \d+.*nothing was applied/);
    const after = await stored();
    expect(after.revision).toBe(index + 1);
    expect(after.services.web.metadata.source).toBe(winner);
    expect(after.services.web.spec.command).toBe(winner === a ? 'sleep 2000' : 'sleep 3000');
  });
});
