import { describe, expect, it } from 'vitest';
import { diffSpecs, planApply, planHasChanges } from '../../src/reconcile/apply-plan.js';
import { desired, recordOf, specOf } from '../helpers/specs.js';

const NOW = '2026-11-23T00:00:00.000Z';
const options = { source: '/tmp/services.hcl', prune: false, now: NOW };

describe('planApply', () => {
  it('creates new services at generation 1 with the source set', () => {
    const plan = planApply([], [desired('web')], options);
    expect(plan.services).toEqual([{ name: 'web', kind: 'create', generation: 1, changes: [], restart: false }]);
    expect(plan.put[0].metadata).toMatchObject({ name: 'web', generation: 1, source: '/tmp/services.hcl', createdAt: NOW });
  });

  it('leaves an unchanged spec at its generation and writes nothing', () => {
    const plan = planApply([recordOf('web')], [desired('web')], options);
    expect(plan.services[0]).toMatchObject({ kind: 'unchanged', generation: 1 });
    expect(plan.put).toEqual([]);
    expect(planHasChanges(plan)).toBe(false);
  });

  it('takes a spec whose maps only list their keys in another order as unchanged, with no restart', () => {
    const stored = recordOf('web', { environment: { A: '1', B: '2' }, labels: { tier: 'web', team: 'x' } });
    const plan = planApply([stored], [desired('web', { labels: { team: 'x', tier: 'web' }, environment: { B: '2', A: '1' } })], options);
    expect(plan.services[0]).toMatchObject({ kind: 'unchanged', generation: 1, restart: false, changes: [] });
    expect(plan.put).toEqual([]);
  });

  it('finds a change deep inside a spec as before', () => {
    const plan = planApply([recordOf('web', { resources: { cpu_limit: 1, memory_limit: null } })], [desired('web', { resources: { cpu_limit: 2, memory_limit: null } })], options);
    expect(plan.services[0]).toMatchObject({ kind: 'update', generation: 2, restart: true });
    expect(plan.services[0].changes).toEqual([{ op: 'replace', path: 'resources.cpu_limit', from: 1, to: 2 }]);
  });

  it('bumps the generation of a changed service only, naming the field', () => {
    const plan = planApply([recordOf('web'), recordOf('db')], [desired('web', { command: 'sleep 2000' }), desired('db')], options);
    const web = plan.services.find((s) => s.name === 'web');
    expect(web).toMatchObject({ kind: 'update', generation: 2, restart: true });
    expect(web?.changes).toEqual([{ op: 'replace', path: 'command', from: 'sleep 1000', to: 'sleep 2000' }]);
    expect(plan.services.find((s) => s.name === 'db')?.kind).toBe('unchanged');
    expect(plan.put.map((r) => r.metadata.name)).toEqual(['web']);
  });

  it('names the instances a change restarts: those that stay, by their names after the apply', () => {
    const up = planApply([recordOf('web', { instances: 2 })], [desired('web', { instances: 3, command: 'sleep 2' })], options);
    expect(up.services[0]).toMatchObject({ restart: true, restartInstances: ['web-0', 'web-1'] });
    const down = planApply([recordOf('web', { instances: 3 })], [desired('web', { instances: 1, command: 'sleep 2' })], options);
    expect(down.services[0]).toMatchObject({ restart: true, restartInstances: ['web'] });
    const held = planApply([recordOf('web', { instances: 2 }, { instanceControl: { 1: { stopped: true } } })],
      [desired('web', { instances: 2, command: 'sleep 2' })], options);
    expect(held.services[0].restartInstances).toEqual(['web-0']);
  });

  it('forgets the instance controls of indexes scaled away', () => {
    const plan = planApply([recordOf('web', { instances: 3 }, { instanceControl: { 0: { restartNonce: 2 }, 2: { stopped: true } } })],
      [desired('web', { instances: 2 })], options);
    expect(plan.put[0].instanceControl).toEqual({ 0: { restartNonce: 2 } });
  });

  it('does not restart for fields taken in place (instances, labels, health checks)', () => {
    const plan = planApply([recordOf('web')], [desired('web', { instances: 3, labels: { team: 'a' } })], options);
    expect(plan.services[0]).toMatchObject({ kind: 'update', restart: false });
  });

  it('prunes only services of the same source set', () => {
    const mine = recordOf('old');
    const theirs = recordOf('other', {}, { metadata: { ...recordOf('other').metadata, source: '/elsewhere.hcl' } });
    const plan = planApply([mine, theirs], [], { ...options, prune: true });
    expect(plan.delete).toEqual(['old']);
    expect(plan.services).toEqual([{ name: 'old', kind: 'delete', generation: 1, changes: [], restart: false }]);
  });

  it('does not prune without --prune', () => {
    expect(planApply([recordOf('old')], [], options).delete).toEqual([]);
  });
});

describe('diffSpecs', () => {
  it('reports environment keys added, removed and changed, never their values', () => {
    const changes = diffSpecs(specOf({ environment: { A: '1', B: '2' } }), specOf({ environment: { A: '9', C: '3' } }));
    expect(changes).toEqual([
      { op: 'replace', path: 'environment.A', from: '(redacted)', to: '(redacted)' },
      { op: 'remove', path: 'environment.B', from: '(redacted)' },
      { op: 'add', path: 'environment.C', to: '(redacted)' },
    ]);
  });

  it('compares arrays as whole values', () => {
    const changes = diffSpecs(specOf({ depends_on: ['a'] }), specOf({ depends_on: ['a', 'b'] }));
    expect(changes).toEqual([{ op: 'replace', path: 'depends_on', from: ['a'], to: ['a', 'b'] }]);
  });

  it('reports nested fields by dotted path', () => {
    const before = specOf();
    const after = specOf({ backoff: { ...before.backoff, initial: 0 } });
    expect(diffSpecs(before, after)).toEqual([{ op: 'replace', path: 'backoff.initial', from: 1000, to: 0 }]);
  });
});
