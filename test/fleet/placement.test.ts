import { describe, expect, it } from 'vitest';
import { envIdentity } from '../../src/core/instances.js';
import { localServices, RESTART_LABEL } from '../../src/fleet/local-specs.js';
import { placeInstances, type Assignments, type NodeView } from '../../src/fleet/placement.js';
import { recordOf } from '../helpers/specs.js';

const none: Assignments = { instances: {}, pending: {} };
const node = (name: string, labels: Record<string, string> = {}, ready = true): NodeView => ({ name, labels, ready });
const nodesOf = (a: Assignments) => Object.fromEntries(Object.entries(a.instances).map(([k, v]) => [k, v.node]));

describe('placeInstances', () => {
  it('spreads instances by load, ties by name, deterministically', () => {
    const records = [recordOf('web', { instances: 4 }), recordOf('db')];
    const nodes = [node('b'), node('a'), node('c')];
    const placed = placeInstances(records, nodes, none);
    expect(nodesOf(placed)).toEqual({ db: 'a', 'web-0': 'b', 'web-1': 'c', 'web-2': 'a', 'web-3': 'b' });
    expect(placeInstances(records, [...nodes].reverse(), none)).toEqual(placed);
  });

  it('keeps every existing placement while its node is ready (stable), and places new ones around them', () => {
    const previous: Assignments = { instances: { 'web-0': { node: 'c', service: 'web', index: 0 }, 'web-1': { node: 'c', service: 'web', index: 1 } }, pending: {} };
    const placed = placeInstances([recordOf('web', { instances: 3 })], [node('a'), node('b'), node('c')], previous);
    expect(nodesOf(placed)).toEqual({ 'web-0': 'c', 'web-1': 'c', 'web-2': 'a' });
  });

  it('honours placement.node and placement.labels; nothing eligible is pending with the reason', () => {
    const records = [
      recordOf('api', { instances: 2, placement: { node: null, labels: { role: 'web' } } }),
      recordOf('pin', { placement: { node: 'b', labels: {} } }),
      recordOf('gpu', { placement: { node: null, labels: { gpu: 'yes' } } }),
    ];
    const placed = placeInstances(records, [node('a', { role: 'web' }), node('b'), node('c', { role: 'web' })], none);
    expect(nodesOf(placed)).toEqual({ 'api-0': 'a', 'api-1': 'c', pin: 'b' });
    expect(placed.pending).toEqual({ gpu: 'no node matches placement (labels gpu=yes)' });
  });

  it('moves the instances of a lost node once, but a pinned one stays on its lost node', () => {
    const records = [recordOf('job', { instances: 2 }), recordOf('pin', { placement: { node: 'b', labels: {} } })];
    const before = placeInstances(records, [node('a'), node('b')], none);
    expect(nodesOf(before)).toEqual({ 'job-0': 'a', 'job-1': 'b', pin: 'b' });
    const after = placeInstances(records, [node('a'), node('b', {}, false)], before);
    expect(nodesOf(after)).toEqual({ 'job-0': 'a', 'job-1': 'a', pin: 'b' });
    // b back: nothing moves back (stable), nothing runs twice.
    expect(placeInstances(records, [node('a'), node('b')], after)).toEqual(after);
  });

  it('a pinned service applied while its node is lost is pending, naming the lost node', () => {
    const placed = placeInstances([recordOf('pin', { placement: { node: 'b', labels: {} } })], [node('a'), node('b', {}, false)], none);
    expect(placed.pending).toEqual({ pin: 'no ready node matches placement (node b): b is lost' });
  });
});

describe('localServices', () => {
  it("turns this node's assignments into one local service per instance, with same-node dependencies and the restart nonce", () => {
    const records = [
      recordOf('db'),
      recordOf('web', { instances: 2, depends_on: ['db'], placement: { node: null, labels: {} } }, { restartNonce: 3, desiredState: 'stopped' }),
    ];
    const assignments: Assignments = {
      instances: { db: { node: 'a', service: 'db', index: 0 }, 'web-0': { node: 'a', service: 'web', index: 0 }, 'web-1': { node: 'b', service: 'web', index: 1 } },
      pending: {},
    };
    const local = localServices('a', records, assignments);
    expect(local.map((s) => s.name)).toEqual(['db', 'web-0']);
    const web = local[1].spec;
    expect(web).toMatchObject({ instances: 1, depends_on: ['db'], disabled: true });
    expect(web.labels[RESTART_LABEL]).toBe('3');
    expect(envIdentity(web, 'web-0', 0)).toEqual({ service: 'web', index: 0 });
    expect(envIdentity(localServices('b', records, assignments)[0].spec, 'web-1', 0)).toEqual({ service: 'web', index: 1 });
    expect(web.placement).toBeUndefined();
    expect(localServices('b', records, assignments)[0].spec.depends_on).toEqual([]);
  });

  it('carries one instance\'s own stop and restart (`hxe stop web-1`) to that instance only', () => {
    const records = [recordOf('web', { instances: 2 }, { restartNonce: 2, instanceControl: { 1: { stopped: true, restartNonce: 4 } } })];
    const assignments: Assignments = {
      instances: { 'web-0': { node: 'a', service: 'web', index: 0 }, 'web-1': { node: 'a', service: 'web', index: 1 } },
      pending: {},
    };
    const [web0, web1] = localServices('a', records, assignments);
    expect(web0.spec.disabled).toBe(false);
    expect(web0.spec.labels[RESTART_LABEL]).toBe('2');
    expect(web1.spec.disabled).toBe(true);
    expect(web1.spec.labels[RESTART_LABEL]).toBe('6');
  });
});
