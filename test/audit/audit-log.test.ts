import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, readAudit, type AuditEntry } from '../../src/audit/audit-log.js';

let home: string;
beforeEach(async () => { home = await fs.mkdtemp(path.join(os.tmpdir(), 'hxe-audit-')); });
afterEach(() => fs.rm(home, { recursive: true, force: true }));

const entry = (i: number): AuditEntry => ({
  time: new Date(i * 1000).toISOString(), who: { via: 'socket', subject: 'ops', role: 'admin' }, action: 'apply', names: [`s${i}`], outcome: 'ok', status: 200,
});

describe('the audit log', () => {
  it('appends NDJSON to a 0600 file and reads it back in order', async () => {
    const log = new AuditLog(path.join(home, 'audit.log'), (err) => { throw err; });
    for (let i = 0; i < 3; i++) log.record(entry(i));
    await log.flush();
    expect((await fs.stat(path.join(home, 'audit.log'))).mode & 0o777).toBe(0o600);
    expect((await readAudit(home)).map((e) => e.names)).toEqual([['s0'], ['s1'], ['s2']]);
  });

  it('rotates by size and keeps a bounded number of files, newest entries readable', async () => {
    const log = new AuditLog(path.join(home, 'audit.log'), (err) => { throw err; }, { maxBytes: 1_000, keep: 3 });
    for (let i = 0; i < 200; i++) log.record(entry(i));
    await log.flush();
    const files = (await fs.readdir(home)).sort();
    expect(files).toEqual(['audit.log', 'audit.log.1', 'audit.log.2', 'audit.log.3']);
    for (const file of files) expect((await fs.stat(path.join(home, file))).size).toBeLessThanOrEqual(1_000);
    const read = await readAudit(home, 5);
    expect(read.map((e) => e.names![0])).toEqual(['s195', 's196', 's197', 's198', 's199']);
  });
});
