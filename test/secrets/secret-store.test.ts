import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SecretStore } from '../../src/secrets/secret-store.js';
import { stampSecrets } from '../../src/manifest/secret-refs.js';
import { takeSecretKey } from '../../src/secrets/secret-key.js';
import type { DesiredService, ServiceSpec } from '../../src/core/types.js';
import { ManifestError } from '../../src/core/errors.js';

const VALUE = 'pa55-VALUE-never-on-disk';
let home: string;
beforeEach(async () => { home = await fs.mkdtemp(path.join(os.tmpdir(), 'hxe-secrets-')); });
afterEach(async () => { await fs.rm(home, { recursive: true, force: true }); });

async function homeText(): Promise<string> {
  const names = await fs.readdir(home);
  return (await Promise.all(names.map((n) => fs.readFile(path.join(home, n), 'latin1')))).join('\n');
}

describe('SecretStore', () => {
  it('keeps values sealed on disk, with a 0600 key file, and reads them back in a new store', async () => {
    const store = await SecretStore.open(home, null);
    expect(await store.set('db', VALUE)).toMatchObject({ name: 'db', changed: true });
    expect((await homeText()).includes(VALUE)).toBe(false);
    expect((await fs.stat(path.join(home, 'secret.key'))).mode & 0o777).toBe(0o600);
    expect((await fs.stat(path.join(home, 'secrets.json'))).mode & 0o777).toBe(0o600);
    const again = await SecretStore.open(home, null);
    expect(again.valueOf('db')).toBe(VALUE);
    expect(again.list()).toEqual([{ name: 'db', setAt: expect.any(String) }]);
  });

  it('gives equal values equal versions and a new value a new one', async () => {
    const store = await SecretStore.open(home, null);
    await store.set('db', VALUE);
    const first = store.versionOf('db');
    expect(await store.set('db', VALUE)).toMatchObject({ changed: false });
    expect(store.versionOf('db')).toBe(first);
    await store.set('db', `${VALUE}2`);
    expect(store.versionOf('db')).not.toBe(first);
  });

  it('refuses a key file others can read, a wrong key and a tampered value', async () => {
    await (await SecretStore.open(home, null)).set('db', VALUE);
    await fs.chmod(path.join(home, 'secret.key'), 0o644);
    await expect(SecretStore.open(home, null)).rejects.toThrow(/accessible to others.*chmod 600/);
    await fs.chmod(path.join(home, 'secret.key'), 0o600);
    const other = await SecretStore.open(home, Buffer.alloc(32, 7));
    expect(() => other.valueOf('db')).toThrow(/another key/);
    const file = path.join(home, 'secrets.json');
    const doc = JSON.parse(await fs.readFile(file, 'utf8'));
    doc.secrets.db.data = Buffer.from('tampered').toString('base64');
    await fs.writeFile(file, JSON.stringify(doc));
    const tampered = await SecretStore.open(home, null);
    expect(() => tampered.valueOf('db')).toThrow(/cannot be decrypted/);
  });

  it('takes a managed key out of the environment and creates no key file', async () => {
    const env: NodeJS.ProcessEnv = { HXE_SECRET_KEY: 'ab'.repeat(32) };
    const key = takeSecretKey(env);
    expect(env.HXE_SECRET_KEY).toBeUndefined();
    const store = await SecretStore.open(home, key);
    await store.set('db', VALUE);
    await expect(fs.stat(path.join(home, 'secret.key'))).rejects.toThrow(/ENOENT/);
    expect(() => takeSecretKey({ HXE_SECRET_KEY: 'short' })).toThrow(/32-byte key/);
  });

  it('refuses bad names and empty values', async () => {
    const store = await SecretStore.open(home, null);
    expect(() => store.set('1bad', 'x')).toThrow(/invalid secret name/);
    expect(() => store.set('ok', '')).toThrow(/empty/);
  });
});

describe('stampSecrets', () => {
  const service = (environment: Record<string, string>): DesiredService =>
    ({ name: 'web', file: 'a.hcl', line: 3, spec: { environment } as unknown as ServiceSpec });

  it('stamps references with the current version and leaves other values alone', () => {
    const [stamped] = stampSecrets([service({ A: 'secret:db', B: 'plain', C: 'secret:db@0123' })], () => 'abcd');
    expect(stamped.spec.environment).toEqual({ A: 'secret:db@abcd', B: 'plain', C: 'secret:db@abcd' });
  });

  it('refuses a reference to a secret that is not set, with file, line and variable', () => {
    try {
      stampSecrets([service({ A: 'secret:nope' })], () => undefined);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ManifestError);
      expect((err as ManifestError).issues[0]).toMatchObject({ file: 'a.hcl', line: 3, service: 'web', path: 'environment.A' });
    }
  });
});
