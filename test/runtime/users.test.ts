import { describe, expect, it } from 'vitest';
import { resolveIdentity, type IdentitySource } from '../../src/runtime/users.js';

const PASSWD = ['root:x:0:0:root:/root:/bin/bash', 'www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin', ''].join('\n');
const GROUP = ['root:x:0:', 'www-data:x:33:', 'staff:x:50:alice', ''].join('\n');

function source(agentUid: number): IdentitySource {
  return { agentUid, passwd: () => PASSWD, group: () => GROUP };
}

describe('resolveIdentity', () => {
  it('runs as the agent without user and group', () => {
    expect(resolveIdentity(null, null, source(1000))).toEqual({});
  });

  it('gives a user with its primary group, as root', () => {
    expect(resolveIdentity('www-data', null, source(0))).toEqual({ uid: 33, gid: 33 });
    expect(resolveIdentity('www-data', 'staff', source(0))).toEqual({ uid: 33, gid: 50 });
    expect(resolveIdentity(null, 'staff', source(0))).toEqual({ gid: 50 });
  });

  it('accepts numeric ids, finding the primary group of a known uid', () => {
    expect(resolveIdentity('33', null, source(0))).toEqual({ uid: 33, gid: 33 });
    expect(resolveIdentity('4242', '4242', source(0))).toEqual({ uid: 4242, gid: 4242 });
  });

  it('refuses a uid without a passwd entry and no group: it would keep the agent group', () => {
    expect(() => resolveIdentity('4242', null, source(0))).toThrow('user "4242" has no /etc/passwd entry: set group too');
  });

  it('names an unknown user or group', () => {
    expect(() => resolveIdentity('ghost', null, source(0))).toThrow('user "ghost" does not exist');
    expect(() => resolveIdentity(null, 'ghosts', source(0))).toThrow('group "ghosts" does not exist');
  });

  it('needs root to switch user or group', () => {
    expect(() => resolveIdentity('www-data', null, source(1000))).toThrow('user "www-data" needs the agent to run as root');
    expect(() => resolveIdentity(null, 'staff', source(1000))).toThrow('group "staff" needs the agent to run as root');
  });

  it('needs no root to run as the agent own user', () => {
    expect(resolveIdentity('www-data', null, source(33))).toEqual({});
  });
});
