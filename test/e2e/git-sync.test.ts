/**
 * GitOps from a Git remote, with a local bare repository and real git: the
 * agent clones and polls `sync { git { ... } }`, and a push webhook signed
 * as GitHub signs (X-Hub-Signature-256) pulls a synced checkout.
 */
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SyncStatus } from '../../src/api/sync-status.js';
import type { AgentStatus } from '../../src/api/protocol.js';
import { createTestHome, type TestHome } from '../helpers/hxe.js';
import { fixtureCommand, waitFor } from '../helpers/processes.js';

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
const SECRET = 'webhook-secret-0123456789';

let t: TestHome;
beforeEach(async () => { t = await createTestHome(); });
afterEach(async () => { await t.cleanup(); });

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();
}

const service = (name: string) => `service "${name}" {\n  command = "${fixtureCommand('forever.mjs')}"\n}\n`;

/** A bare remote with one commit on main (services.hcl declaring `names`), and the work tree that pushes to it. */
async function makeRemote(names: string[]): Promise<{ bare: string; work: string }> {
  const bare = path.join(t.dir, 'remote.git');
  const work = path.join(t.dir, 'work');
  git(t.dir, 'init', '--quiet', '--bare', '-b', 'main', bare);
  git(t.dir, 'clone', '--quiet', bare, work);
  git(work, 'checkout', '--quiet', '-b', 'main');
  await push(work, names, 'first');
  return { bare, work };
}

async function push(work: string, names: string[], message: string, branch = 'main'): Promise<string> {
  await fs.writeFile(path.join(work, 'services.hcl'), names.map(service).join(''));
  git(work, 'add', 'services.hcl');
  git(work, 'commit', '--quiet', '-m', message);
  git(work, 'push', '--quiet', 'origin', `HEAD:${branch}`);
  return git(work, 'rev-parse', 'HEAD');
}

const names = async () => (await t.api.list()).map((v) => v.name).sort();
const syncs = async () => JSON.parse((await t.run(['sync', '--list', '-o', 'json'])).stdout) as SyncStatus[];

describe('sync from Git', () => {
  it('clones the remote of a sync { git } block, polls it, and shows the commit in sync --list and events', async () => {
    const { bare, work } = await makeRemote(['alpha']);
    const deploy = path.join(t.dir, 'deploy');
    const config = await t.write('conf/agent.hcl', `sync {\n  path = "${deploy}"\n  git {\n    url      = "${bare}"\n    branch   = "main"\n    interval = "300ms"\n  }\n}\n`);
    const started = await t.run(['agent', 'start', '--config', config]);
    expect(started.code, started.stderr).toBe(0);
    const first = git(work, 'rev-parse', 'HEAD');
    await waitFor(async () => (await names()).includes('alpha') || undefined, { what: 'alpha applied from the clone' });
    expect(git(deploy, 'rev-parse', 'HEAD')).toBe(first);
    expect((await syncs())[0].lastApplied?.commit).toBe(first);

    const second = await push(work, ['alpha', 'beta'], 'add beta');
    await waitFor(async () => (await names()).includes('beta') || undefined, { what: 'beta applied after a poll' });
    await waitFor(async () => ((await syncs())[0].lastApplied?.commit === second) || undefined, { what: 'the new commit in sync --list' });
    expect((await t.run(['sync', '--list'])).stdout).toContain(second.slice(0, 12));
    const events = (await t.run(['events'])).stdout;
    expect(events).toContain(`cloned ${bare} (main) at ${first.slice(0, 12)}`);
    expect(events).toContain(`${first.slice(0, 12)} → ${second.slice(0, 12)}`);
  }, 60_000);

  it('pulls a synced checkout on a push webhook with a valid X-Hub-Signature-256, and refuses a bad one', async () => {
    const { bare, work } = await makeRemote(['alpha']);
    const deploy = path.join(t.dir, 'deploy');
    git(t.dir, 'clone', '--quiet', '--branch', 'main', bare, deploy);
    const config = await t.write('conf/server.hcl', `server {\n  host = "127.0.0.1"\n  port = 0\n  auth {\n    token = "api-token"\n  }\n  pull_webhook {\n    secret = "env:HOOK_SECRET"\n  }\n}\n`);
    expect((await t.run(['agent', 'start', '--config', config], { env: { HOOK_SECRET: SECRET } })).code).toBe(0);
    expect((await t.run(['sync', deploy, '--watch'])).code).toBe(0);
    await waitFor(async () => (await names()).includes('alpha') || undefined, { what: 'alpha' });
    const server = (JSON.parse((await t.run(['agent', 'status', '-o', 'json'])).stdout) as AgentStatus).server!;
    const second = await push(work, ['alpha', 'beta'], 'add beta');
    const body = JSON.stringify({ ref: 'refs/heads/main', after: second, repository: { clone_url: bare } });
    const sign = (text: string, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(text).digest('hex')}`;
    const hook = (signature: string | null, text = body) => fetch(`${server}/v1/syncs/pull`, {
      method: 'POST', body: text,
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', ...(signature ? { 'x-hub-signature-256': signature } : {}) },
    });

    for (const bad of [null, sign(body, 'wrong-secret'), sign(`${body} `), 'sha256=abc']) {
      const response = await hook(bad);
      expect(response.status).toBe(401);
    }
    const other = JSON.stringify({ ref: 'refs/heads/feature' });
    const skipped = await (await hook(sign(other), other)).json() as { pulled: { skipped?: string }[] };
    expect(skipped.pulled[0].skipped).toBe('push to refs/heads/feature, checkout on main');
    expect(git(deploy, 'rev-parse', 'HEAD')).not.toBe(second);

    const response = await hook(sign(body));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ pulled: [{ path: deploy, before: expect.any(String), commit: second }] });
    expect(await names()).toEqual(['alpha', 'beta']);
    expect((await syncs())[0].lastApplied?.commit).toBe(second);
    const audit = (await t.run(['events', '--audit'])).stdout;
    expect(audit).toMatch(/sync-pull/);
  }, 60_000);
});
