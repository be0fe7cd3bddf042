/**
 * The fleet's reading paths and single-instance control, end to end: a real
 * nats-server, two real agents, the built CLI with --server nats://.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HxeEvent, InstanceView } from '../../src/core/types.js';
import { fleetCli, startNode, type FleetNode } from '../helpers/fleet.js';
import { REPO } from '../helpers/hxe.js';
import { natsSkipReason, startNats, type NatsServer } from '../helpers/nats.js';
import { isPidAlive, waitFor } from '../helpers/processes.js';

let nats: NatsServer;
let nodes: FleetNode[] = [];
const followers: ChildProcess[] = [];
let clusterCount = 0;

beforeAll(async () => {
  if (!natsSkipReason) nats = await startNats();
});
afterAll(async () => { await nats?.stop(); });
afterEach(async () => {
  for (const child of followers.splice(0)) {
    child.kill('SIGKILL');
    if (child.pid) await waitFor(() => !isPidAlive(child.pid!), { what: 'follower gone' });
  }
  for (const node of nodes.splice(0)) await node.home.cleanup();
});

/** Two agents in a fresh cluster, and a CLI on the first one's home. */
async function twoNodes() {
  const cluster = `r${process.pid}x${++clusterCount}`;
  nodes = await Promise.all([startNode('node-a', {}, [nats.url], cluster), startNode('node-b', {}, [nats.url], cluster)]);
  return { cluster, cli: fleetCli(nodes[0].home, nats.url, cluster) };
}

/** Applies `hcl` through the fleet and waits until `count` instances run. */
async function applyAndRun(cli: ReturnType<typeof fleetCli>, hcl: string, count: number): Promise<InstanceView[]> {
  const applied = await cli.run(['apply', '-f', await nodes[0].home.write(`s${Math.random()}.hcl`, hcl)]);
  expect(applied.code, applied.stderr).toBe(0);
  return waitFor(async () => {
    const views = await cli.get();
    return views.length === count && views.every((v) => v.status.state === 'running' && v.status.pid) ? views : undefined;
  }, { timeoutMs: 30_000, intervalMs: 200, what: `${count} instances running` });
}

/** `hxe logs ... -f` against the fleet as a child process; its output so far. */
function follow(cluster: string, args: string[]): { output: () => string; child: ChildProcess } {
  const child = spawn(process.execPath, [path.join(REPO, 'bin/hxe'), '--server', nats.url, '--cluster', cluster, ...args],
    { env: { ...process.env, HXE_HOME: nodes[0].home.home, NO_COLOR: '1' } });
  followers.push(child);
  let text = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => { text += chunk; });
  return { output: () => text, child };
}

describe.skipIf(natsSkipReason !== null)(`fleet reading paths${natsSkipReason ? ` (skipped: ${natsSkipReason})` : ''}`, () => {
  it('events without -w: every node\'s recent events in time order; describe shows the service\'s events', async () => {
    const { cli } = await twoNodes();
    const views = await applyAndRun(cli, 'service "api" {\n  command = "sleep 8100123"\n  instances = 2\n}\nservice "other" {\n  command = "sleep 8100124"\n}\n', 3);
    const apiNodes = new Set(views.filter((v) => v.metadata.service === 'api').map((v) => v.status.node));
    expect(apiNodes.size).toBe(2); // one instance per node: the history must come from both
    const all = await cli.run(['events', '-o', 'json']);
    expect(all.code, all.stderr).toBe(0);
    const events = all.stdout.trim().split('\n').map((line) => JSON.parse(line) as HxeEvent & { node?: string });
    expect(new Set(events.map((e) => e.node))).toEqual(new Set(['node-a', 'node-b']));
    expect(events.map((e) => e.time)).toEqual(events.map((e) => e.time).sort());
    for (const name of ['api-0', 'api-1', 'other']) expect(events.some((e) => e.service === name && e.state === 'running')).toBe(true);
    const ofApi = await cli.run(['events', '--service', 'api', '-o', 'json']);
    const apiEvents = ofApi.stdout.trim().split('\n').map((line) => JSON.parse(line) as HxeEvent);
    expect(apiEvents.length).toBeGreaterThan(0);
    expect(apiEvents.every((e) => e.service.startsWith('api-'))).toBe(true);
    const described = await cli.run(['describe', 'api']);
    expect(described.code, described.stderr).toBe(0);
    expect(described.stdout).toMatch(/Events:\n\s+TIME\s+INSTANCE\s+TYPE\s+MESSAGE/);
    expect(described.stdout).toMatch(/api-0 .*running/);
    expect(described.stdout).toMatch(/api-1 .*running/);
    expect(described.stdout).not.toMatch(/ other /);
  });

  it('logs --tail N and logs -f: the tail, then the lines written after, from the node that runs the instance', async () => {
    const { cluster, cli } = await twoNodes();
    const trigger = path.join(nodes[0].home.dir, 'go');
    await applyAndRun(cli, `service "talker" {
  command = "for i in 1 2 3 4 5; do echo line-$i; done; while [ ! -e ${trigger} ]; do sleep 0.1; done; echo after-trigger; exec sleep 8100125"
  shell = true
}
`, 1);
    await waitFor(async () => (await cli.run(['logs', 'talker', '--tail', '10'])).stdout.includes('line-5') || undefined, { what: 'line-5 logged' });
    const tail = await cli.run(['logs', 'talker', '--tail', '2']);
    expect(tail.code, tail.stderr).toBe(0);
    expect(tail.stdout).toBe('line-4\nline-5\n');
    const followed = follow(cluster, ['logs', 'talker', '-f', '--tail', '1']);
    const stamped = follow(cluster, ['logs', 'talker', '-f', '--tail', '1', '--timestamps']);
    for (const f of [followed, stamped]) await waitFor(() => f.output().includes('line-5') || undefined, { what: 'the tail printed by logs -f' });
    expect(followed.output()).not.toContain('line-4');
    await fs.writeFile(trigger, '');
    await waitFor(() => followed.output().includes('after-trigger') || undefined, { what: 'a new line followed' });
    expect(followed.output()).toBe('line-5\nafter-trigger\n');
    expect(followed.child.exitCode).toBeNull(); // still following
    // As on one host: the backlog carries no time, a followed line the time it was read.
    await waitFor(() => stamped.output().includes('after-trigger') || undefined, { what: 'a new line followed with its time' });
    expect(stamped.output()).toMatch(/^line-5\n\d{4}-\d\d-\d\dT[\d:.]+Z after-trigger\n$/);
  });

  it('stop, start and restart of one instance (api-1) leave the other instance alone', async () => {
    const { cli } = await twoNodes();
    const before = await applyAndRun(cli, 'service "api" {\n  command = "sleep 8100126"\n  instances = 2\n}\n', 2);
    const pid = (views: InstanceView[], name: string) => views.find((v) => v.name === name)?.status.pid;
    const stopped = await cli.run(['stop', 'api-1']);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toContain('api-1 stopping');
    const afterStop = await waitFor(async () => {
      const views = await cli.get();
      return views.find((v) => v.name === 'api-1')?.status.state === 'stopped' ? views : undefined;
    }, { what: 'api-1 stopped' });
    expect(pid(afterStop, 'api-0')).toBe(pid(before, 'api-0'));
    expect(isPidAlive(pid(before, 'api-1')!)).toBe(false);
    expect((await cli.run(['start', 'api-1'])).code).toBe(0);
    const afterStart = await waitFor(async () => {
      const views = await cli.get();
      return views.every((v) => v.status.state === 'running' && v.status.pid) && views.length === 2 ? views : undefined;
    }, { what: 'api-1 running again' });
    expect(pid(afterStart, 'api-0')).toBe(pid(before, 'api-0'));
    expect((await cli.run(['restart', 'api-0'])).code).toBe(0);
    const afterRestart = await waitFor(async () => {
      const views = await cli.get();
      const api0 = views.find((v) => v.name === 'api-0');
      return api0?.status.state === 'running' && api0.status.pid && api0.status.pid !== pid(before, 'api-0') ? views : undefined;
    }, { what: 'api-0 restarted' });
    expect(pid(afterRestart, 'api-1')).toBe(pid(afterStart, 'api-1'));
    const unknown = await cli.run(['restart', 'api-7']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no such service or instance: api-7/);
  });
});
