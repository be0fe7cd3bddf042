import { describe, expect, it } from 'vitest';
import { verifyHubSignature } from '../../src/api/pull-webhook.js';
import { redactUrl } from '../../src/runtime/git-remote.js';

describe('verifyHubSignature', () => {
  // GitHub's documented example ("Validating webhook deliveries").
  const secret = "It's a Secret to Everybody";
  const body = Buffer.from('Hello, World!');
  const good = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

  it("accepts GitHub's example and refuses any other secret, body or header form", () => {
    expect(verifyHubSignature(secret, body, good)).toBe(true);
    expect(verifyHubSignature(secret, body, good.toUpperCase().replace('SHA256', 'sha256'))).toBe(true);
    expect(verifyHubSignature('other', body, good)).toBe(false);
    expect(verifyHubSignature(secret, Buffer.from('Hello, World?'), good)).toBe(false);
    for (const header of [undefined, '', good.slice(7), `sha1=${good.slice(7)}`, good.slice(0, -2), `${good}00`]) {
      expect(verifyHubSignature(secret, body, header)).toBe(false);
    }
  });
});

describe('redactUrl', () => {
  it('hides credentials in a remote URL', () => {
    expect(redactUrl('https://user:ghp_token@github.com/o/r.git')).toBe('https://***@github.com/o/r.git');
    expect(redactUrl('git@github.com:o/r.git')).toBe('git@github.com:o/r.git');
  });
});
