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
});
