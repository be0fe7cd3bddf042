/**
 * The leased scheduler against a real nats-server: one leader at a time, a
 * takeover once the lease is stale, and the takeover keeps every placement.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from '@nats-io/transport-node';
import { ASSIGNMENTS_KEY, connectNats, decode, encode, openBuckets, type FleetBuckets } from '../../src/fleet/connection.js';
import { updateDesired } from '../../src/fleet/desired.js';
import type { Assignments } from '../../src/fleet/placement.js';
import { Scheduler } from '../../src/fleet/scheduler.js';
import { natsSkipReason, startNats, type NatsServer } from '../helpers/nats.js';
import { waitFor } from '../helpers/processes.js';
import { recordOf } from '../helpers/specs.js';

let nats: NatsServer;
let nc: NatsConnection;
let buckets: FleetBuckets;
const silent = pino({ level: 'silent' });

beforeAll(async () => {
  if (natsSkipReason) return;
  nats = await startNats();
  nc = await connectNats({ servers: [nats.url] }, false);
  buckets = await openBuckets(nc, 'sched');
});
afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

describe.skipIf(natsSkipReason !== null)(`scheduler lease${natsSkipReason ? ` (skipped: ${natsSkipReason})` : ''}`, () => {
  it('one scheduler works at a time; a stale lease is taken over and every placement kept', async () => {
    for (const name of ['n1', 'n2']) await buckets.nodes.put(name, encode({ name, labels: {}, joinedAt: '', version: '', pid: 0 }));
    const beat = setInterval(() => { for (const name of ['n1', 'n2']) void buckets.nodes.put(name, encode({ name, labels: {}, joinedAt: '', version: '', pid: 0 })); }, 1_000);
    await updateDesired(buckets.desired, () => [recordOf('web', { instances: 4 })]);
    const a = new Scheduler(buckets, 'n1', silent);
    const b = new Scheduler(buckets, 'n2', silent);
    try {
      a.start();
      await waitFor(() => a.leader, { what: 'n1 leads' });
      b.start();
      const first = await waitFor(async () => decode<Assignments>((await buckets.sched.get(ASSIGNMENTS_KEY))?.value), { what: 'assignments' });
      expect(Object.keys(first.instances).sort()).toEqual(['web-0', 'web-1', 'web-2', 'web-3']);
      // b keeps trying: it never leads while a renews.
      for (let i = 0; i < 3; i++) {
        const before = b.passes;
        b.kick();
        await waitFor(() => b.passes >= before + 2, { what: "n2's lease attempt ended" });
        expect([a.leader, b.leader]).toEqual([true, false]);
      }
      await a.stop();
      const tookOver = Date.now();
      await waitFor(() => b.leader, { timeoutMs: 15_000, intervalMs: 100, what: 'n2 takes the stale lease' });
      expect(Date.now() - tookOver).toBeGreaterThan(8_000);
      await updateDesired(buckets.desired, (s) => [...s.records, recordOf('db')]);
      const next = await waitFor(async () => {
        const doc = decode<Assignments>((await buckets.sched.get(ASSIGNMENTS_KEY))?.value);
        return doc?.instances.db ? doc : undefined;
      }, { what: 'db placed by n2' });
      for (const name of Object.keys(first.instances)) expect(next.instances[name]).toEqual(first.instances[name]);
    } finally {
      clearInterval(beat);
      await a.stop();
      await b.stop();
    }
  }, 40_000);
});
