/**
 * The key that encrypts secrets at rest: from HXE_SECRET_KEY (managed
 * setups: a key kept outside the host's disk), else `$HXE_HOME/secret.key`,
 * created 0600 with 32 random bytes the first time a secret is set.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { HxeError } from '../core/errors.js';

/** The environment variable of a managed key: 32 bytes as 64 hex digits or base64. */
export const SECRET_KEY_ENV = 'HXE_SECRET_KEY';
export const SECRET_KEY_FILE = 'secret.key';

/**
 * Reads the key from `env` and removes it from there: nothing the agent
 * starts (services, their exec checks, the parser process) inherits it.
 * Null when the variable is not set.
 */
export function takeSecretKey(env: NodeJS.ProcessEnv): Buffer | null {
  const text = env[SECRET_KEY_ENV];
  delete env[SECRET_KEY_ENV];
  if (text === undefined || text === '') return null;
  return decodeKey(text.trim(), SECRET_KEY_ENV);
}

function decodeKey(text: string, where: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new HxeError('BAD_USAGE', `${where}: expected a 32-byte key as 64 hex digits or base64`);
  return key;
}

/**
 * The key of the home's key file; with `create`, a new one when there is none
 * (null without). Refuses a key file that others can read, as ssh does.
 */
export async function readKeyFile(home: string, create: boolean): Promise<Buffer | null> {
  const file = path.join(home, SECRET_KEY_FILE);
  try {
    const info = await fs.stat(file);
    if ((info.mode & 0o077) !== 0) {
      throw new HxeError('BAD_USAGE', `${file} is accessible to others (mode ${(info.mode & 0o777).toString(8)}): chmod 600 ${file}`);
    }
    return decodeKey((await fs.readFile(file, 'utf8')).trim(), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (!create) return null;
  const key = randomBytes(32);
  // 'wx': two writers never both create one; the loser reads the winner's.
  await fs.writeFile(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' }).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  return readKeyFile(home, false);
}

/** A short public name of a key, stored beside the secrets: a wrong key is told, not mistaken for corruption. */
export function keyId(key: Buffer): string {
  return createHmac('sha256', key).update('hxe-secret-key-id').digest('hex').slice(0, 16);
}
