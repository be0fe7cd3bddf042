/**
 * A three-server NATS cluster under the fleet: losing one server changes
 * nothing visible (buckets are replicated on three servers).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceView } from '../../src/core/types.js';
import { connectNats, openBuckets } from '../../src/fleet/connection.js';
import { fleetCli, sleepCounts, startNode, type FleetNode } from '../helpers/fleet.js';
import { natsSkipReason, startNatsCluster, type NatsCluster } from '../helpers/nats.js';
import { waitFor } from '../helpers/processes.js';

let cluster: NatsCluster;
let nodes: FleetNode[] = [];

beforeAll(async () => {
  if (!natsSkipReason) cluster = await startNatsCluster();
}, 60_000);
afterAll(async () => { await cluster?.stop(); });
afterEach(async () => {
  for (const node of nodes) await node.home.cleanup();
  nodes = [];
});

describe.skipIf(natsSkipReason !== null)(`fleet on a three-server NATS cluster${natsSkipReason ? ` (skipped: ${natsSkipReason})` : ''}`, () => {
  it('one NATS server of three killed: no restart, applies and reads go on', async () => {
    nodes = await Promise.all(['node-a', 'node-b', 'node-c'].map((name) => startNode(name, {}, cluster.urls, 'ha')));
    // The CLI is given the two servers that stay.
    const cli = fleetCli(nodes[0].home, `${cluster.urls[1]},${cluster.urls[2]}`, 'ha');
    const n = 8_600_000 + Math.floor(Math.random() * 10_000) * 100;
    const file = await nodes[0].home.write('fleet.hcl', `service "job" {\n  command = "sleep ${n}"\n  instances = 3\n}\n`);
    const applied = await cli.run(['apply', '-f', file]);
    expect(applied.code, applied.stderr).toBe(0);
    const running = (views: InstanceView[]) => views.length === 3 && views.every((v) => v.status.state === 'running');
    const before = await waitFor(async () => { const v = await cli.get(); return running(v) ? v : undefined; }, { timeoutMs: 30_000, intervalMs: 250, what: 'job running' });

    // Every bucket is replicated on the three servers.
    const nc = await connectNats({ servers: [cluster.urls[1]] }, false);
    const buckets = await openBuckets(nc, 'ha');
    const replicas = await Promise.all([buckets.desired, buckets.nodes, buckets.status, buckets.sched].map(async (kv) => (await kv.status()).replicas));
    await nc.close();
    expect(replicas).toEqual([3, 3, 3, 3]);

    await cluster.servers[0].kill();
    const second = await nodes[0].home.write('more.hcl', `service "more" {\n  command = "sleep ${n + 1}"\n}\n`);
    const more = await cli.run(['apply', '-f', second]);
    expect(more.code, more.stderr).toBe(0);
    await waitFor(async () => (await cli.get(['more']))[0]?.status.state === 'running', { timeoutMs: 30_000, intervalMs: 250, what: 'more running' });
    const after = await cli.get(['job']);
    expect(after.map((v) => [v.name, v.status.node, v.status.pid, v.status.restarts])).toEqual(before.map((v) => [v.name, v.status.node, v.status.pid, 0]));
    const listed = JSON.parse((await cli.run(['nodes', '-o', 'json'])).stdout) as { state: string }[];
    expect(listed.map((x) => x.state)).toEqual(['ready', 'ready', 'ready']);
    expect([...sleepCounts([n, n + 1]).values()]).toEqual([3, 1]);
  }, 90_000);
});
