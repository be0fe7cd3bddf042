import { describe, expect, it } from 'vitest';
import type { LifecycleState, ServiceRecord, ServiceSpec } from '../../src/core/types.js';
import { planService, worldOf, type ObservedInstance, type World } from '../../src/reconcile/plan.js';
import { recordOf } from '../helpers/specs.js';

/** A small builder of worlds: `world().service('web').instance('web', 'running')`. */
function world() {
  const records = new Map<string, ServiceRecord>();
  const instances = new Map<string, ObservedInstance>();
  let stoppingAll = false;
  const builder = {
    service(name: string, spec: Partial<ServiceSpec> = {}, extra: Partial<ServiceRecord> & { generation?: number } = {}) {
      records.set(name, recordOf(name, spec, extra));
      return builder;
    },
    instance(name: string, state: LifecycleState, extra: Partial<ObservedInstance> = {}) {
      const service = extra.service ?? name.replace(/-\d+$/, '');
      const record = records.get(service);
      const ready = state === 'healthy' || (state === 'running' && !record?.spec.health_check);
      instances.set(name, {
        name, service, index: Number(/-(\d+)$/.exec(name)?.[1] ?? 0), state, ready,
        generation: record?.metadata.generation ?? 1, spec: record?.spec ?? recordOf(service).spec, restartNonce: 0, startNonce: 0, ...extra,
      });
      return builder;
    },
    stoppingAll() {
      stoppingAll = true;
      return builder;
    },
    build(): World {
      return worldOf(records, instances, stoppingAll);
    },
  };
  return builder;
}

const types = (plan: ReturnType<typeof planService>) => plan.actions.map((a) => `${a.type}:${a.instance}`);

describe('planService', () => {
  it('creates the instances of a new service', () => {
    const plan = planService('web', world().service('web', { instances: 2 }).build());
    expect(types(plan)).toEqual(['create:web-0', 'create:web-1', 'start:web-0', 'start:web-1']);
  });

  it('starts a pending instance whose dependencies are ready', () => {
    const w = world().service('db').service('web', { depends_on: ['db'] }).instance('db', 'running').instance('web', 'pending').build();
    expect(types(planService('web', w))).toEqual(['start:web']);
  });

  it('keeps a dependent pending, saying what it waits for', () => {
    const w = world().service('db').service('web', { depends_on: ['db'] }).instance('db', 'starting').instance('web', 'pending').build();
    const plan = planService('web', w);
    expect(plan.actions).toEqual([]);
    expect(plan.waiting).toEqual({ web: 'waiting for db' });
  });

  it('fails an instance whose failure the agent reported, unless the plan acts on it otherwise', () => {
    const reported = world().service('web').instance('web', 'running', { failureReported: true }).build();
    expect(types(planService('web', reported))).toEqual(['fail:web']);
    const restarting = world().service('web').instance('web', 'running', { failureReported: true, restartNonce: -1 }).build();
    expect(types(planService('web', restarting))).toEqual(['restart:web']);
    const stopped = world().service('web', {}, { desiredState: 'stopped' }).instance('web', 'running', { failureReported: true }).build();
    expect(types(planService('web', stopped))).toEqual(['stop:web']);
  });

  it('does nothing for an instance that runs its generation', () => {
    const w = world().service('web').instance('web', 'running').build();
    expect(planService('web', w).actions).toEqual([]);
  });

  it('starts completed and failed instances again on `hxe start`, and leaves running ones alone', () => {
    const w = world().service('a', {}, { startNonce: 1 }).service('b', {}, { startNonce: 1 })
      .instance('a', 'failed').instance('b', 'running').build();
    expect(types(planService('a', w))).toEqual(['start:a']);
    expect(types(planService('b', w))).toEqual(['update:b']);
  });

  it('does not restart completed or failed instances by itself', () => {
    const w = world().service('a').service('b').instance('a', 'completed').instance('b', 'failed').build();
    expect(planService('a', w).actions).toEqual([]);
    expect(planService('b', w).actions).toEqual([]);
  });

  it('stops a disabled service and an `hxe stop`ped one', () => {
    const w = world().service('a', { disabled: true }).service('b', {}, { desiredState: 'stopped' })
      .instance('a', 'running').instance('b', 'healthy').build();
    expect(types(planService('a', w))).toEqual(['stop:a']);
    expect(types(planService('b', w))).toEqual(['stop:b']);
  });

  it('stops a deleted service, then removes its stopped instance', () => {
    const running = world().instance('web', 'running', { service: 'web' }).build();
    expect(types(planService('web', running))).toEqual(['stop:web']);
    const stopped = world().instance('web', 'stopped', { service: 'web' }).build();
    expect(types(planService('web', stopped))).toEqual(['remove:web']);
  });

  it('stops dependents before their dependencies when both go', () => {
    const web = recordOf('web', { depends_on: ['db'] }).spec;
    const w = world().instance('db', 'running', { service: 'db' }).instance('web', 'running', { service: 'web', spec: web }).build();
    expect(planService('db', w).actions).toEqual([]);
    expect(planService('db', w).waiting).toEqual({ db: 'stopping after web' });
    expect(types(planService('web', w))).toEqual(['stop:web']);
  });

  it('stops a dependency even when its dependent stays up', () => {
    const w = world().service('db', {}, { desiredState: 'stopped' }).service('web', { depends_on: ['db'] })
      .instance('db', 'running').instance('web', 'running').build();
    expect(types(planService('db', w))).toEqual(['stop:db']);
  });

  it('scales down by stopping and removing the highest instances', () => {
    const w = world().service('web', { instances: 2 }).instance('web-0', 'running').instance('web-1', 'running').instance('web-2', 'running').build();
    expect(types(planService('web', w))).toEqual(['stop:web-2']);
  });

  it('rolls a restart-needing change through instances one at a time', () => {
    const old = recordOf('web', { instances: 2 }).spec;
    const w = world().service('web', { instances: 2, command: 'sleep 2' }, { generation: 2 })
      .instance('web-0', 'running', { generation: 1, spec: old }).instance('web-1', 'running', { generation: 1, spec: old }).build();
    expect(types(planService('web', w))).toEqual(['restart:web-0']);
  });

  it('waits for a restarted instance to be ready before the next', () => {
    const old = recordOf('web', { instances: 2 }).spec;
    const w = world().service('web', { instances: 2, command: 'sleep 2' }, { generation: 2 })
      .instance('web-0', 'starting', { generation: 2 }).instance('web-1', 'running', { generation: 1, spec: old }).build();
    const plan = planService('web', w);
    expect(plan.actions).toEqual([]);
    expect(plan.waiting['web-1']).toMatch(/rolling restart/);
  });

  it('updates in place when only in-place fields changed', () => {
    const old = recordOf('web').spec;
    const w = world().service('web', { labels: { a: 'b' } }, { generation: 2 }).instance('web', 'running', { generation: 1, spec: old }).build();
    expect(types(planService('web', w))).toEqual(['update:web']);
  });

  it('restarts on `hxe restart` (a new restart nonce)', () => {
    const w = world().service('web', {}, { restartNonce: 1 }).instance('web', 'healthy', { restartNonce: 0 }).build();
    expect(types(planService('web', w))).toEqual(['restart:web']);
  });

  it('renames index 0 when scaling from 1 up, creating only the new instances next', () => {
    const up = world().service('web', { instances: 3 }).instance('web', 'running').build();
    expect(planService('web', up).actions).toEqual([{ type: 'rename', instance: 'web', to: 'web-0' }]);
    const after = world().service('web', { instances: 3 }).instance('web-0', 'running').build();
    expect(types(planService('web', after))).toEqual(['create:web-1', 'create:web-2', 'start:web-1', 'start:web-2']);
  });

  it('scales down to 1 by renaming index 0 and stopping the others', () => {
    const w = world().service('web', { instances: 1 }).instance('web-0', 'running').instance('web-1', 'running').instance('web-2', 'stopped').build();
    expect(types(planService('web', w))).toEqual(['rename:web-0', 'stop:web-1', 'remove:web-2']);
  });

  it('stops one instance held by `hxe stop NAME-i`, restarts one by its own nonce, and leaves the others', () => {
    const held = world().service('web', { instances: 2 }, { instanceControl: { 1: { stopped: true } } })
      .instance('web-0', 'running').instance('web-1', 'running').build();
    expect(types(planService('web', held))).toEqual(['stop:web-1']);
    const stopped = world().service('web', { instances: 2 }, { instanceControl: { 1: { stopped: true } } })
      .instance('web-0', 'running').instance('web-1', 'stopped').build();
    expect(planService('web', stopped).actions).toEqual([]);
    const restart = world().service('web', { instances: 2 }, { instanceControl: { 0: { restartNonce: 1 } } })
      .instance('web-0', 'running').instance('web-1', 'running').build();
    expect(types(planService('web', restart))).toEqual(['restart:web-0']);
  });

  it('stops everything when the agent stops with its services', () => {
    const w = world().service('web').instance('web', 'running').stoppingAll().build();
    expect(types(planService('web', w))).toEqual(['stop:web']);
  });
});

/** `b` depends on `a`; `a` is ready or not (its health check still failing). */
function gated(aReady: boolean) {
  return world().service('a').instance('a', aReady ? 'healthy' : 'running', { ready: aReady });
}

describe('planService: every start waits for the dependencies', () => {
  it('keeps a failed instance pending on `hxe start` while a dependency is not ready', () => {
    const w = gated(false).service('b', { depends_on: ['a'] }, { startNonce: 1 }).instance('b', 'failed').build();
    const plan = planService('b', w);
    expect(plan.actions).toEqual([]);
    expect(plan.waiting).toEqual({ b: 'waiting for a' });
  });

  it('keeps a restarted pending instance pending (it only takes the request)', () => {
    const w = gated(false).service('b', { depends_on: ['a'] }, { restartNonce: 1 }).instance('b', 'pending').build();
    const plan = planService('b', w);
    expect(types(plan)).toEqual(['update:b']);
    expect(plan.waiting).toEqual({ b: 'waiting for a' });
  });

  it('starts a restarted pending instance once the dependency is ready', () => {
    const w = gated(true).service('b', { depends_on: ['a'] }, { restartNonce: 1 }).instance('b', 'pending').build();
    expect(types(planService('b', w))).toEqual(['update:b', 'start:b']);
  });

  it('holds `hxe restart` of a running instance while a dependency is not ready, and restarts it once ready', () => {
    const spec = { depends_on: ['a'] };
    const held = gated(false).service('b', spec, { restartNonce: 1 }).instance('b', 'running').build();
    expect(types(planService('b', held))).toEqual(['hold:b']);
    const ready = gated(true).service('b', spec, { restartNonce: 1 }).instance('b', 'running').build();
    expect(types(planService('b', ready))).toEqual(['restart:b']);
  });

  it('holds a spec change that needs a restart while a dependency is not ready', () => {
    const old = recordOf('b', { depends_on: ['a'] }).spec;
    const w = gated(false).service('b', { depends_on: ['a'], command: 'sleep 2' }, { generation: 2 })
      .instance('b', 'running', { generation: 1, spec: old }).build();
    expect(types(planService('b', w))).toEqual(['hold:b']);
  });

  it('holds a rolling restart one instance at a time', () => {
    const old = recordOf('b', { instances: 2, depends_on: ['a'] }).spec;
    const w = gated(false).service('b', { instances: 2, depends_on: ['a'], command: 'sleep 2' }, { generation: 2 })
      .instance('b-0', 'running', { generation: 1, spec: old }).instance('b-1', 'running', { generation: 1, spec: old }).build();
    expect(types(planService('b', w))).toEqual(['hold:b-0']);
  });

  it('holds a restart of an instance retrying in backoff', () => {
    const w = gated(false).service('b', { depends_on: ['a'] }, { restartNonce: 1 }).instance('b', 'backoff').build();
    expect(types(planService('b', w))).toEqual(['hold:b']);
  });

  it('starts instances found pending at boot only once the dependency is ready', () => {
    const spec = { depends_on: ['a'], instances: 2 };
    const boot = (aReady: boolean) => gated(aReady).service('b', spec).instance('b-0', 'pending').instance('b-1', 'pending').build();
    expect(planService('b', boot(false)).actions).toEqual([]);
    expect(types(planService('b', boot(true)))).toEqual(['start:b-0', 'start:b-1']);
  });
});

describe('planService: fix forward', () => {
  const broken = recordOf('b', { command: 'no-such-command' }).spec;

  it.each(['failed', 'crashloop', 'backoff'] as const)('gives a %s instance a new attempt at a spec that needs a new process', (state) => {
    const w = world().service('b', { command: 'sleep 1' }, { generation: 2 }).instance('b', state, { generation: 1, spec: broken }).build();
    expect(types(planService('b', w))).toEqual(['restart:b']);
  });

  it('holds the new attempt while a dependency is not ready', () => {
    const old = recordOf('b', { command: 'no-such-command', depends_on: ['a'] }).spec;
    const w = gated(false).service('b', { command: 'sleep 1', depends_on: ['a'] }, { generation: 2 })
      .instance('b', 'failed', { generation: 1, spec: old }).build();
    expect(types(planService('b', w))).toEqual(['hold:b']);
  });

  it('only takes a change that needs no new process, leaving a failed instance failed', () => {
    const w = world().service('b', { command: 'no-such-command', labels: { a: 'b' } }, { generation: 2 })
      .instance('b', 'failed', { generation: 1, spec: broken }).build();
    expect(types(planService('b', w))).toEqual(['update:b']);
  });

  it('does not run a completed job again for a new generation', () => {
    const done = recordOf('b', { command: 'true' }).spec;
    const w = world().service('b', { command: 'true --again' }, { generation: 2 }).instance('b', 'completed', { generation: 1, spec: done }).build();
    expect(types(planService('b', w))).toEqual(['update:b']);
  });
});
