import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HxeError } from '../../src/core/errors.js';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { recordOf } from '../helpers/specs.js';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hxe-store-'));
  file = path.join(dir, 'store.json');
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

describe('LowdbStore', () => {
  it('writes records to disk (mode 0600) and reads them back in a new store', async () => {
    const store = await LowdbStore.open(file);
    await store.put([recordOf('web'), recordOf('db')]);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    const reopened = await LowdbStore.open(file);
    expect(reopened.list().map((r) => r.metadata.name)).toEqual(['db', 'web']);
    expect(reopened.revision).toBe(1);
  });

  it('commits puts and deletes as one revision and tells watchers', async () => {
    const store = await LowdbStore.open(file);
    await store.put([recordOf('a'), recordOf('b')]);
    const seen: unknown[] = [];
    store.watch((change) => seen.push(change));
    const revision = await store.commit({ put: [recordOf('c')], delete: ['a'] });
    expect(revision).toBe(2);
    expect(seen).toEqual([{ revision: 2, names: ['c', 'a'] }]);
    expect(store.list().map((r) => r.metadata.name)).toEqual(['b', 'c']);
  });

  it('never mutates a record handed to it', async () => {
    const store = await LowdbStore.open(file);
    const record = recordOf('web');
    await store.put([record]);
    record.spec.command = 'changed';
    expect(store.get('web')?.spec.command).toBe('sleep 1000');
  });

  it('hands out a snapshot of the statuses, not its live map (listStatuses kept the internal object)', async () => {
    const store = await LowdbStore.open(file);
    store.setStatus('web', { state: 'running', pid: 42 } as never);
    const before = store.listStatuses();
    store.setStatus('db', { state: 'running', pid: 43 } as never);
    store.setStatus('web', null);
    expect(Object.keys(before)).toEqual(['web']);
    expect(Object.keys(store.listStatuses())).toEqual(['db']);
    await store.flush();
  });

  it('writes statuses coalesced and on flush', async () => {
    const store = await LowdbStore.open(file);
    const status = { state: 'running', pid: 42 } as never;
    store.setStatus('web', status);
    await store.flush();
    const onDisk = JSON.parse(await fs.readFile(file, 'utf8'));
    expect(onDisk.statuses.web).toMatchObject({ state: 'running', pid: 42 });
  });

  it('loses no update when many commits race', async () => {
    const store = await LowdbStore.open(file);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.put([recordOf(`svc-${i}`)])));
    const reopened = await LowdbStore.open(file);
    expect(reopened.list()).toHaveLength(20);
    expect(reopened.revision).toBe(20);
  });

  it('keeps a corrupt file aside, reports its path and refuses to start empty', async () => {
    await fs.writeFile(file, '{"format":1,"services":{"web":');
    const error = await LowdbStore.open(file).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(HxeError);
    expect((error as HxeError).code).toBe('STORE_CORRUPT');
    const kept = (await fs.readdir(dir)).find((name) => name.startsWith('store.json.corrupt-'));
    expect(kept).toBeDefined();
    expect((error as Error).message).toContain(path.join(dir, kept!));
    expect(await fs.readFile(path.join(dir, kept!), 'utf8')).toBe('{"format":1,"services":{"web":');
    // Still refused while the corrupt copy waits to be dealt with.
    await expect(LowdbStore.open(file)).rejects.toThrow(/corrupt/);
  });

  it('refuses a store written by a newer format', async () => {
    await fs.writeFile(file, JSON.stringify({ format: 99, revision: 1, services: {}, statuses: {} }));
    await expect(LowdbStore.open(file)).rejects.toThrow(/format 99/);
  });

  it('a failed write changes nothing in memory, names the path, and a later commit does not carry it', async () => {
    const store = await LowdbStore.open(file);
    await store.put([recordOf('web')]);
    const seen: unknown[] = [];
    store.watch((change) => seen.push(change));
    // A directory where the temp file goes: open() fails even for root.
    const temp = path.join(dir, '.store.json.tmp');
    await fs.mkdir(temp);
    const failures = [
      await store.put([recordOf('web', { command: 'rejected' })]).catch((err: unknown) => err),
      await store.delete(['web']).catch((err: unknown) => err),
      await store.setSync('/srv', syncOf('/srv')).catch((err: unknown) => err),
    ];
    for (const error of failures) {
      expect(error).toBeInstanceOf(HxeError);
      expect((error as HxeError).code).toBe('STORE_IO');
      expect((error as Error).message).toContain(file);
    }
    expect(store.get('web')?.spec.command).toBe('sleep 1000');
    expect(store.revision).toBe(1);
    expect(store.listSyncs()).toEqual([]);
    expect(seen).toEqual([]);
    await fs.rmdir(temp);
    await store.put([recordOf('other')]);
    const reopened = await LowdbStore.open(file);
    expect(reopened.list().map((r) => [r.metadata.name, r.spec.command])).toEqual([['other', 'sleep 1000'], ['web', 'sleep 1000']]);
    expect(reopened.revision).toBe(2);
    expect(reopened.listSyncs()).toEqual([]);
  });

  it('sets an invalid record aside at open, keeps it on disk, runs the others, and a delete forgets it', async () => {
    const good = recordOf('web');
    // The record of issue 11 (a spec without depends_on) is completed with the defaults, not set aside.
    const partial = { ...recordOf('partial'), spec: { command: 'sleep 1' } };
    const broken = { ...recordOf('broken'), spec: { ...recordOf('broken').spec, depends_on: 'db', instances: -5 } };
    await fs.writeFile(file, JSON.stringify({ format: 1, revision: 3, services: { web: good, broken, partial, evil: { metadata: { name: 'evil' } } }, statuses: {}, syncs: {} }));
    const store = await LowdbStore.open(file);
    expect(store.list().map((r) => r.metadata.name)).toEqual(['partial', 'web']);
    expect(store.get('partial')?.spec.depends_on).toEqual([]);
    const aside = store.listSetAside();
    expect(aside.map((entry) => entry.name)).toEqual(['broken', 'evil']);
    expect(aside[0].reason).toMatch(/spec\.depends_on: expected a list.*spec\.instances: expected at least 0, got -5/);
    expect(aside[1].reason).toMatch(/metadata\.generation/);
    await store.put([recordOf('db')]);
    const onDisk = JSON.parse(await fs.readFile(file, 'utf8'));
    expect(Object.keys(onDisk.services).sort()).toEqual(['db', 'partial', 'web']);
    expect(onDisk.setAside.broken.record).toEqual(broken);
    expect((await LowdbStore.open(file)).listSetAside().map((entry) => entry.name)).toEqual(['broken', 'evil']);
    await store.delete(['broken']);
    expect(store.listSetAside().map((entry) => entry.name)).toEqual(['evil']);
  });

  it('drops statuses that are not objects and sets aside a broken sync record: the agent must not crash on them', async () => {
    await fs.writeFile(file, JSON.stringify({ format: 1, revision: 1, services: {}, statuses: { a: null, b: 'x', c: { state: 'running', pid: 7 } }, syncs: { '/srv': null } }));
    const store = await LowdbStore.open(file);
    expect(Object.keys(store.listStatuses())).toEqual(['c']);
    expect(store.listSyncs()).toEqual([]);
    expect(store.listSetAside()).toEqual([expect.objectContaining({ name: 'sync /srv', reason: 'expected a block/table, got nothing' })]);
  });
});

function syncOf(dirPath: string) {
  return { path: dirPath, prune: false, recursive: false, createdAt: '2026-01-01T00:00:00.000Z', lastApplied: null, lastError: null, declared: [] };
}
