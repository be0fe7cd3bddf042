/**
 * The fleet end to end: a real nats-server with JetStream, three real agents
 * on separate homes, and the built CLI talking to NATS with --server nats://.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceView } from '../../src/core/types.js';
import { connectNats, openBuckets } from '../../src/fleet/connection.js';
import { readEntries } from '../../src/fleet/status.js';
import { fleetCli, killNode, sleepCounts, startNode, startProxy, type FleetNode } from '../helpers/fleet.js';
import { natsSkipReason, startNats, type NatsServer } from '../helpers/nats.js';
import { isPidAlive, waitFor } from '../helpers/processes.js';

let nats: NatsServer;
let nodes: FleetNode[] = [];
let clusterCount = 0;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  if (!natsSkipReason) nats = await startNats();
});
afterAll(async () => { await nats?.stop(); });
afterEach(async () => {
  const errors: unknown[] = [];
  for (const node of nodes) await node.home.cleanup().catch((err) => errors.push(err));
  for (const cleanup of cleanups.splice(0)) await cleanup();
  nodes = [];
  if (errors.length) throw errors[0];
});

/** Three agents (node-a web, node-b and node-c worker) joining a fresh cluster through `servers`. */
async function threeNodes(servers = [nats.url]) {
  const cluster = `c${process.pid}x${++clusterCount}`;
  nodes = await Promise.all([
    startNode('node-a', { role: 'web' }, servers, cluster),
    startNode('node-b', { role: 'worker' }, servers, cluster),
    startNode('node-c', { role: 'worker' }, servers, cluster),
  ]);
  return { cluster, cli: fleetCli(nodes[0].home, nats.url, cluster) };
}

const base = () => 8_100_000 + Math.floor(Math.random() * 10_000) * 100;

/** Waits until every instance runs on a ready node; returns the views. */
async function allRunning(cli: ReturnType<typeof fleetCli>, count: number, timeoutMs = 20_000): Promise<InstanceView[]> {
  return waitFor(async () => {
    const views = await cli.get();
    return views.length === count && views.every((v) => v.status.state === 'running' && v.status.pid) ? views : undefined;
  }, { timeoutMs, intervalMs: 200, what: `${count} instances running` });
}

describe.skipIf(natsSkipReason !== null)(`fleet${natsSkipReason ? ` (skipped: ${natsSkipReason})` : ''}`, () => {
  it('places instances by node and labels, one process each; a service nothing can run is pending with the reason', async () => {
    const { cli } = await threeNodes();
    const n = base();
    const file = await nodes[0].home.write('fleet.hcl', `
service "web" {
  command = "echo i=$HXE_SERVICE/$HXE_INSTANCE; exec sleep ${n}"
  shell = true
  instances = 2
  placement { labels = { role = "web" } }
}
service "job" {
  command = "sleep ${n + 1}"
  instances = 4
  environment = { TOKEN = "hunter2" }
}
service "pinned" {
  command = "echo hello from $HXE_SERVICE; exec sleep ${n + 2}"
  shell = true
  placement { node = "node-c" }
}
service "nowhere" {
  command = "sleep ${n + 3}"
  placement { labels = { role = "gpu" } }
}
`);
    const diff = await cli.run(['diff', '-f', file]);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('+ web (new)');
    const applied = await cli.run(['apply', '-f', file]);
    expect(applied.code, applied.stderr).toBe(0);
    expect((await cli.run(['diff', '-f', file])).code).toBe(0);

    const views = await waitFor(async () => {
      const all = await cli.get();
      return all.filter((v) => v.metadata.service !== 'nowhere').every((v) => v.status.state === 'running') ? all : undefined;
    }, { timeoutMs: 20_000, intervalMs: 200, what: 'placed instances running' });
    const nodeOf = Object.fromEntries(views.map((v) => [v.name, v.status.node]));
    expect(nodeOf['web-0']).toBe('node-a');
    expect(nodeOf['web-1']).toBe('node-a');
    expect(nodeOf.pinned).toBe('node-c');
    expect(new Set(['job-0', 'job-1', 'job-2', 'job-3'].map((name) => nodeOf[name])).size).toBeGreaterThan(1);
    const nowhere = views.find((v) => v.name === 'nowhere')!;
    expect(nowhere.status).toMatchObject({ state: 'pending', node: null });
    expect(nowhere.status.message).toContain('no node matches placement (labels role=gpu)');
    // Exactly one process per instance, whichever node runs it.
    expect([...sleepCounts([n, n + 1, n + 2, n + 3]).values()]).toEqual([2, 4, 1, 0]);
    // Each node's own store holds exactly its instances.
    const local = await Promise.all(nodes.map(async (node) => (await node.home.api.list()).map((v) => v.name)));
    expect(local.flat().sort()).toEqual(views.filter((v) => v.status.node).map((v) => v.name).sort());

    const table = await cli.run(['get']);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+NODE\s+STATE/);
    const described = await cli.run(['describe', 'job']);
    expect(described.stdout).toContain('TOKEN: (redacted)');
    expect(described.stdout).not.toContain('hunter2');
    const listed = await cli.run(['nodes']);
    expect(listed.stdout).toMatch(/NAME\s+STATE\s+LABELS\s+SERVICES\s+AGE/);
    expect(listed.stdout).toMatch(/node-a\s+ready\s+role=web\s+2\b|node-a\s+ready\s+role=web\s+[3-6]\b/);

    const broken = await nodes[0].home.write('broken.hcl', 'service "web" {\n  command = "sleep 1"\n  placement { node = 3 }\n}\n');
    const refused = await cli.run(['apply', '-f', broken]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/broken\.hcl:3: service "web": placement\.node: expected a node name/);
    expect((await cli.run(['diff', '-f', file])).code).toBe(0);

    // Logs by request/reply to the node that runs the instance.
    const logs = await waitFor(async () => { const r = await cli.run(['logs', 'pinned']); return r.stdout.includes('hello') ? r : undefined; }, { what: 'logs of pinned' });
    expect(logs.stdout).toBe('hello from pinned\n');
    // Two instances on one node: each process is told its own service and index, as on one host.
    const webLogs = await waitFor(async () => { const r = await cli.run(['logs', 'web']); return r.stdout.split('\n').length > 2 ? r : undefined; }, { what: 'logs of web' });
    expect(webLogs.stdout).toBe('[web-0] i=web/0\n[web-1] i=web/1\n');

    expect((await cli.run(['delete', 'job'])).code).toBe(0);
    await waitFor(() => sleepCounts([n + 1]).get(n + 1) === 0, { what: 'job processes stopped' });
  }, 60_000);

  it('two concurrent applies both land (compare-and-set); --check-index refuses a moved index', async () => {
    const { cli } = await threeNodes();
    const files = await Promise.all(Array.from({ length: 4 }, (_, i) => nodes[0].home.write(`s${i}.hcl`, `service "s${i}" {\n  command = "sleep ${base()}"\n}\n`)));
    const results = await Promise.all(files.map((file) => cli.run(['apply', '-f', file])));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expect((await cli.get()).map((v) => v.name).sort()).toEqual(['s0', 's1', 's2', 's3']);

    const plan = await cli.run(['apply', '-f', files[0], '--dry-run', '-o', 'json']);
    const index = (JSON.parse(plan.stdout) as { revision: number }).revision;
    const changed = await nodes[0].home.write('s0.hcl', `service "s0" {\n  command = "sleep ${base()}"\n}\n`);
    expect((await cli.run(['apply', '-f', files[1], '--check-index', String(index)])).code).toBe(0); // no change: nothing written
    const moved = await cli.run(['apply', '-f', files[2], '--prune', '--check-index', String(index - 1)]);
    expect(moved.code).toBe(1);
    expect(moved.stderr).toContain(`the desired state is at index ${index}, not ${index - 1}`);
    expect((await cli.run(['apply', '-f', changed, '--check-index', String(index)])).code).toBe(0);
    expect((await cli.run(['apply', '-f', changed, '--check-index', String(index)])).code).toBe(1);
  }, 60_000);

  it('a node killed with its processes is lost within 15 s, and its unpinned instances start elsewhere exactly once', async () => {
    const { cli, cluster } = await threeNodes();
    const n = base();
    const file = await nodes[0].home.write('fleet.hcl', `
service "job" {
  command = "sleep ${n}"
  instances = 3
}
service "pinned" {
  command = "sleep ${n + 1}"
  placement { node = "node-b" }
}
`);
    expect((await cli.run(['apply', '-f', file])).code).toBe(0);
    const views = await allRunning(cli, 4);
    const onB = views.filter((v) => v.status.node === 'node-b' && v.metadata.service === 'job').map((v) => v.name);
    expect(onB.length).toBeGreaterThan(0);

    const killedAt = Date.now();
    await killNode(nodes[1]);
    const moved = await waitFor(async () => {
      const now = await cli.get();
      return onB.every((name) => { const v = now.find((x) => x.name === name)!; return v.status.node !== 'node-b' && v.status.state === 'running'; }) ? now : undefined;
    }, { timeoutMs: 20_000, intervalMs: 200, what: 'instances of node-b running elsewhere' });
    const seconds = (Date.now() - killedAt) / 1000;
    expect(seconds).toBeLessThan(15);
    expect(sleepCounts([n]).get(n)).toBe(3);
    const pinned = moved.find((v) => v.name === 'pinned')!;
    expect(pinned.status.node).toBe('node-b');
    expect(pinned.status.ready).toBe(false);
    expect(pinned.status.message).toBe('node node-b is lost');
    expect((await cli.run(['nodes'])).stdout).toMatch(/node-b\s+lost/);
    // Exactly once: the moved instances stay where they went (no second move, no restart).
    const again = await cli.get();
    expect(again.map((v) => [v.name, v.status.node, v.status.pid])).toEqual(moved.map((v) => [v.name, v.status.node, v.status.pid]));

    // node-b back: it starts nothing that moved away, runs its pinned instance again, and forgets the stale statuses it wrote.
    expect((await nodes[1].start()).code).toBe(0);
    expect((await nodes[1].home.api.list()).map((v) => v.name)).toEqual(['pinned']);
    await waitFor(async () => (await cli.get(['pinned']))[0].status.state === 'running', { timeoutMs: 20_000, intervalMs: 200, what: 'pinned running on node-b again' });
    const nc = await connectNats({ servers: [nats.url] }, false);
    try {
      const { status } = await openBuckets(nc, cluster);
      await waitFor(async () => (await readEntries(status)).filter((e) => e.key.startsWith('node-b.')).map((e) => e.key).join() === 'node-b.pinned', { what: 'only node-b.pinned left' });
    } finally {
      await nc.close();
    }
    expect(sleepCounts([n, n + 1])).toEqual(new Map([[n, 3], [n + 1, 1]]));
  }, 90_000);

  it('NATS restarted under running agents: services keep running, nothing restarts', async () => {
    const { cli } = await threeNodes();
    const n = base();
    const file = await nodes[0].home.write('fleet.hcl', `service "job" {\n  command = "sleep ${n}"\n  instances = 3\n}\n`);
    expect((await cli.run(['apply', '-f', file])).code).toBe(0);
    const before = await allRunning(cli, 3);
    await nats.kill();
    // Without NATS, each agent still supervises its copy.
    const local = await nodes[0].home.api.list();
    expect(local.every((v) => v.status.state === 'running')).toBe(true);
    await nats.restart();
    // The agents come back: a status written after the restart proves it (each heartbeat makes its node ready).
    await waitFor(async () => {
      const listed = await cli.run(['nodes', '-o', 'json']);
      return listed.code === 0 && (JSON.parse(listed.stdout) as { state: string }[]).filter((x) => x.state === 'ready').length === 3;
    }, { timeoutMs: 20_000, intervalMs: 250, what: 'three ready nodes after the NATS restart' });
    const after = await allRunning(cli, 3);
    expect(after.map((v) => [v.name, v.status.node, v.status.pid, v.status.restarts])).toEqual(before.map((v) => [v.name, v.status.node, v.status.pid, 0]));
    expect(sleepCounts([n]).get(n)).toBe(3);
  }, 60_000);

  it('an agent killed with -9 and restarted at once adopts its processes: same pids, no restarts, nothing moved', async () => {
    const { cli } = await threeNodes();
    const n = base();
    const file = await nodes[0].home.write('fleet.hcl', `service "job" {\n  command = "sleep ${n}"\n  instances = 3\n}\n`);
    expect((await cli.run(['apply', '-f', file])).code).toBe(0);
    const before = await allRunning(cli, 3);
    const pid = await nodes[1].agentPid();
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isPidAlive(pid), { what: 'agent of node-b gone' });
    expect((await nodes[1].start()).code).toBe(0);
    const local = await nodes[1].home.api.list();
    expect(local.map((v) => [v.name, v.status.pid, v.status.restarts])).toEqual(
      before.filter((v) => v.status.node === 'node-b').map((v) => [v.name, v.status.pid, 0]));
    const after = await allRunning(cli, 3);
    expect(after.map((v) => [v.name, v.status.node, v.status.pid, v.status.restarts])).toEqual(before.map((v) => [v.name, v.status.node, v.status.pid, 0]));
    expect(sleepCounts([n]).get(n)).toBe(3);
  }, 60_000);

  it('a partitioned agent comes back: what was placed elsewhere meanwhile is stopped on it, never left running twice', async () => {
    const proxy = await startProxy(nats.port);
    cleanups.push(() => proxy.close());
    const cluster = `c${process.pid}x${++clusterCount}`;
    nodes = await Promise.all([
      startNode('node-a', {}, [nats.url], cluster),
      startNode('node-b', {}, [proxy.url], cluster),
    ]);
    const cli = fleetCli(nodes[0].home, nats.url, cluster);
    const n = base();
    const file = await nodes[0].home.write('fleet.hcl', `service "job" {\n  command = "sleep ${n}"\n  instances = 2\n}\n`);
    expect((await cli.run(['apply', '-f', file])).code).toBe(0);
    const views = await allRunning(cli, 2);
    const away = views.find((v) => v.status.node === 'node-b')!;
    expect(away).toBeDefined();

    proxy.cut();
    await waitFor(async () => (await cli.get([away.name]))[0].status.node === 'node-a', { timeoutMs: 20_000, intervalMs: 250, what: `${away.name} placed on node-a` });
    // Partitioned, node-b keeps its copy running (it cannot know): SPEC says services keep running without NATS.
    expect(isPidAlive(away.status.pid!)).toBe(true);
    proxy.heal();
    await waitFor(() => !isPidAlive(away.status.pid!), { timeoutMs: 20_000, what: `node-b stops its old ${away.name}` });
    const final = await allRunning(cli, 2);
    expect(final.every((v) => v.status.node === 'node-a')).toBe(true);
    expect(sleepCounts([n]).get(n)).toBe(2);
    expect((await nodes[1].home.api.list()).map((v) => v.name)).toEqual([]);
  }, 60_000);
});
