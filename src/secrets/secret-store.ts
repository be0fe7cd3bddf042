/**
 * The home's secrets: `$HXE_HOME/secrets.json` holds each value sealed with
 * AES-256-GCM (cipher.ts), its version and when it was set; the key is
 * elsewhere (secret-key.ts). Plain values leave this module only for the
 * environment of the processes that refer to them.
 */
import path from 'node:path';
import { HxeError } from '../core/errors.js';
import { DurableJsonFile } from '../store/durable-json-file.js';
import { open, seal, versionOf, type Sealed } from './cipher.js';
import { SECRET_NAME } from '../manifest/secret-refs.js';
import { keyId, readKeyFile, SECRET_KEY_ENV, SECRET_KEY_FILE } from './secret-key.js';

export const SECRETS_FILE = 'secrets.json';
/** Larger is a file, not a secret: mount it. */
export const MAX_SECRET_BYTES = 64 * 1024;

interface StoredSecret extends Sealed {
  setAt: string;
  version: string;
}

interface SecretsDocument {
  /** keyId of the key that sealed every value. */
  keyId: string;
  secrets: Record<string, StoredSecret>;
}

/** What `hxe secret list` shows: never a value. */
export interface SecretInfo {
  name: string;
  setAt: string;
}

export class SecretStore {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly home: string,
    private readonly file: DurableJsonFile<SecretsDocument>,
    private doc: SecretsDocument,
    private key: Buffer | null,
  ) {}

  /** Opens the home's secrets with `envKey` (from HXE_SECRET_KEY) or the key file. */
  static async open(home: string, envKey: Buffer | null): Promise<SecretStore> {
    const file = new DurableJsonFile<SecretsDocument>(path.join(home, SECRETS_FILE));
    const doc = (await file.read()) ?? { keyId: '', secrets: {} };
    return new SecretStore(home, file, doc, envKey ?? (await readKeyFile(home, false)));
  }

  list(): SecretInfo[] {
    return Object.entries(this.doc.secrets).map(([name, s]) => ({ name, setAt: s.setAt })).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** The version of a set secret (what specs record), undefined when not set. */
  versionOf(name: string): string | undefined {
    return this.doc.secrets[name]?.version;
  }

  /** The plain value, for a process's environment; undefined when not set. Throws with a wrong or missing key. */
  valueOf(name: string): string | undefined {
    const stored = this.doc.secrets[name];
    if (!stored) return undefined;
    const key = this.usableKey();
    try {
      return open(key, name, stored);
    } catch {
      throw new HxeError('INTERNAL', `secret ${name} cannot be decrypted: ${SECRETS_FILE} is damaged`);
    }
  }

  /** Sets a secret; `changed` is false when it already had this value. Written to disk before it is used. */
  set(name: string, value: string): Promise<{ name: string; setAt: string; changed: boolean }> {
    checkName(name);
    if (value === '') throw new HxeError('BAD_USAGE', 'the secret value is empty');
    if (Buffer.byteLength(value) > MAX_SECRET_BYTES) throw new HxeError('BAD_USAGE', `the secret value is larger than ${MAX_SECRET_BYTES} bytes`);
    return this.serialise(async () => {
      this.key ??= await readKeyFile(this.home, true);
      const key = this.usableKey();
      const version = versionOf(key, name, value);
      const previous = this.doc.secrets[name];
      if (previous?.version === version) return { name, setAt: previous.setAt, changed: false };
      const stored: StoredSecret = { ...seal(key, name, value), setAt: new Date().toISOString(), version };
      await this.write({ keyId: keyId(key), secrets: { ...this.doc.secrets, [name]: stored } });
      return { name, setAt: stored.setAt, changed: true };
    });
  }

  /** Removes a secret; false when there was none. */
  remove(name: string): Promise<boolean> {
    return this.serialise(async () => {
      if (!this.doc.secrets[name]) return false;
      const secrets = { ...this.doc.secrets };
      delete secrets[name];
      await this.write({ ...this.doc, secrets });
      return true;
    });
  }

  private async write(doc: SecretsDocument): Promise<void> {
    await this.file.write(doc);
    this.doc = doc;
  }

  /** The key, if it is the one the stored values were sealed with. */
  private usableKey(): Buffer {
    if (!this.key) throw new HxeError('INTERNAL', `no key for ${SECRETS_FILE}: ${SECRET_KEY_FILE} is missing and ${SECRET_KEY_ENV} is not set`);
    const stored = this.doc.keyId;
    if (stored !== '' && Object.keys(this.doc.secrets).length > 0 && stored !== keyId(this.key)) {
      throw new HxeError('BAD_USAGE', `${SECRETS_FILE} was written with another key than ${SECRET_KEY_ENV} or ${SECRET_KEY_FILE} holds`);
    }
    return this.key;
  }

  private serialise<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

function checkName(name: string): void {
  if (!SECRET_NAME.test(name)) {
    throw new HxeError('BAD_USAGE', `invalid secret name ${JSON.stringify(name)}: letters, digits, "_", "-" and ".", not starting with a digit, "-" or "."`);
  }
}
