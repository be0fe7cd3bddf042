/**
 * Issue 17, item 2 (later part): `connect({ nats, cluster })`, the typed
 * client of a fleet, against a real nats-server and a real agent that joined
 * it: the same calls as for one agent where the fleet has them, BadUsageError
 * for the others, and close() ends the NATS connection.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BadUsageError, connect, ManifestError, NotFoundError, type HxeClient } from '../../src/client/index.js';
import { startNode, type FleetNode } from '../helpers/fleet.js';
import { natsSkipReason, startNats, type NatsServer } from '../helpers/nats.js';
import { waitFor } from '../helpers/processes.js';

let nats: NatsServer;
let node: FleetNode | null = null;
let client: HxeClient | null = null;

beforeAll(async () => {
  if (!natsSkipReason) nats = await startNats();
});
afterAll(async () => { await nats?.stop(); });
afterEach(async () => {
  await client?.close();
  await node?.home.cleanup();
  client = null;
  node = null;
});

describe.skipIf(natsSkipReason !== null)(`connect({ nats })${natsSkipReason ? ` (skipped: ${natsSkipReason})` : ''}`, () => {
  it('applies, lists, gets, restarts, reads logs and deletes through the fleet; says what the fleet does not offer', async () => {
    const cluster = `k${process.pid}`;
    node = await startNode('node-a', { role: 'web' }, [nats.url], cluster);
    const fleet = connect({ nats: nats.url, cluster });
    client = fleet;
    const plan = await fleet.diff([{ name: 'ticker', spec: { command: "sh -c 'while true; do echo tick; sleep 0.2; done'" } }]);
    expect(plan.plan.services.map((s) => [s.name, s.kind])).toEqual([['ticker', 'create']]);
    expect((await fleet.apply([{ name: 'ticker', spec: { command: "sh -c 'while true; do echo tick; sleep 0.2; done'" } }], { checkIndex: plan.revision })).applied).toBe(true);
    const running = await waitFor(async () => {
      const [view] = await fleet.list(['ticker']);
      return view?.status.state === 'running' && view.status.pid ? view : undefined;
    }, { timeoutMs: 30_000, intervalMs: 200, what: 'ticker running on node-a' });
    expect(running.status.node).toBe('node-a');
    // The node's own agent runs that very process.
    expect((await node.home.api.list(['ticker']))[0].status.pid).toBe(running.status.pid);
    expect((await fleet.get('ticker')).instances.map((v) => v.name)).toEqual(['ticker']);
    expect((await fleet.nodes()).map((n) => [n.name, n.state])).toEqual([['node-a', 'ready']]);

    let text = '';
    for await (const chunk of fleet.logs('ticker', { tail: 3 })) text += chunk;
    expect(text).toContain('tick');

    expect((await fleet.restart(['ticker'])).names).toEqual(['ticker']);
    await waitFor(async () => {
      const [view] = await fleet.list(['ticker']);
      return view?.status.state === 'running' && view.status.pid && view.status.pid !== running.status.pid;
    }, { timeoutMs: 30_000, intervalMs: 200, what: 'ticker restarted with a new pid' });

    await expect(fleet.get('nope')).rejects.toBeInstanceOf(NotFoundError);
    // The fleet checks specs as an agent's API does: nothing invalid reaches its store.
    const invalid = await fleet.apply([{ name: 'bad', spec: { command: 'sleep 1', restart: 'sometimes' } }]).catch((err: unknown) => err);
    expect(invalid).toBeInstanceOf(ManifestError);
    expect((invalid as ManifestError).issues[0]).toMatchObject({ service: 'bad', path: 'restart' });
    await expect(fleet.agentStatus()).rejects.toBeInstanceOf(BadUsageError);
    await expect(fleet.secrets()).rejects.toThrow(/not available with a nats:\/\/ server/);

    expect((await fleet.delete(['ticker'])).names).toEqual(['ticker']);
    await waitFor(async () => (await node!.home.api.list()).length === 0, { timeoutMs: 30_000, intervalMs: 200, what: 'ticker gone from node-a' });
    expect(await fleet.list()).toEqual([]);
  }, 90_000);

  it('refuses a cluster name that is not a NATS subject token, at once', () => {
    expect(() => connect({ nats: 'nats://127.0.0.1:1', cluster: 'a.b' })).toThrow(BadUsageError);
    // Not a fleet: nodes() is a usage error, sent nowhere.
    return expect(connect({ home: '/nonexistent' }).nodes()).rejects.toBeInstanceOf(BadUsageError);
  });
});
