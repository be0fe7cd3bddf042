/** AES-256-GCM of one secret value, the name bound in as additional data (no value moves to another name). */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/** One encrypted value, as stored (base64 fields). */
export interface Sealed {
  iv: string;
  tag: string;
  data: string;
}

export function seal(key: Buffer, name: string, value: string): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(name));
  const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

/** The value; throws when the key, the name or the bytes are not those it was sealed with. */
export function open(key: Buffer, name: string, sealed: Sealed): string {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
  decipher.setAAD(Buffer.from(name));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
}

/**
 * The version of a value: equal for equal values, different for different
 * ones, and, keyed, no guess of the value can be checked against it (a bare
 * hash of a short password could).
 */
export function versionOf(key: Buffer, name: string, value: string): string {
  return createHmac('sha256', key).update(`hxe-secret-version\0${name}\0${value}`).digest('hex').slice(0, 16);
}
