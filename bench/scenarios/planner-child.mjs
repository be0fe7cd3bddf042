/**
 * Row 9, run in its own process: the pure planners on 10,000 services.
 * (a) planService for every service of a world of 10,000 records, each with
 *     one running instance (nothing to do: the steady state);
 * (b) planApply of 10,000 desired services onto 10,000 stored, 100 changed.
 * Prints JSON {plan: ms[], apply: ms[]}: one untimed warm-up, then `runs` timed runs.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { REPO_DIR } from '../lib/config.mjs';

const count = Number(process.argv[2]) || 10_000;
const runs = Number(process.argv[3]) || 5;
/** Stop repeating a case once one run took this long (the bench stays bounded). */
const budgetMs = 20_000;

// PLANNER_FROM=src: the TypeScript sources through tsx (a bundled dist/ has no per-module files).
const fromSrc = process.env.PLANNER_FROM === 'src';
const load = (name) => import(pathToFileURL(path.join(REPO_DIR, fromSrc ? 'src' : 'dist', 'reconcile', `${name}.${fromSrc ? 'ts' : 'js'}`)).href);
const { planService } = await load('plan');
const { planApply } = await load('apply-plan');

function spec(i, changed = false) {
  return {
    command: `sleep ${100000 + i}${changed ? '0' : ''}`, args: [], shell: false, working_dir: '/tmp', user: null, group: null,
    environment: { NODE_ENV: 'production' }, env_file: null, depends_on: [], instances: 1, health_check: null,
    resources: { cpu_limit: null, memory_limit: null }, restart_policy: 'always', stop_signal: 'SIGTERM', stop_timeout: 10000,
    backoff: { initial: 1000, multiplier: 2, max: 300000, reset_after: 60000 },
    crashloop: { max_restarts: 5, window: 120000, give_up: false },
    watch: null, logs: { max_size: 20971520, keep: 5 }, labels: {}, tags: [], disabled: false,
  };
}

const at = '2026-01-01T00:00:00.000Z';
const names = Array.from({ length: count }, (_, i) => `svc-${String(i).padStart(5, '0')}`);
const records = names.map((name, i) => ({
  metadata: { name, generation: 1, createdAt: at, updatedAt: at, source: '/srv/services.hcl', labels: {}, file: '/srv/services.hcl' },
  spec: spec(i), desiredState: null, restartNonce: 0, startNonce: 0,
}));
// Indexed like the agent's controller: lookups by name, never a scan.
const byName = new Map(records.map((r) => [r.metadata.name, r]));
const instances = new Map(records.map((r) => [r.metadata.name, {
  name: r.metadata.name, service: r.metadata.name, index: 0, state: 'running', ready: true,
  generation: 1, spec: r.spec, restartNonce: 0, startNonce: 0,
}]));
const world = {
  record: (name) => byName.get(name),
  instance: (name) => instances.get(name),
  instancesOf: (service) => (instances.has(service) ? [instances.get(service)] : []),
  dependentsOf: () => [],
  stoppingAll: false,
};
const desired = names.map((name, i) => ({ name, spec: spec(i, i % (count / 100) === 0), file: '/srv/services.hcl', line: 1 + i * 10 }));

function time(fn) {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

function bench(fn) {
  const samples = [];
  const first = time(fn); // warm-up, reported apart
  for (let i = 0; i < runs && first < budgetMs && samples.reduce((a, b) => a + b, 0) < budgetMs; i++) samples.push(time(fn));
  return { first, samples };
}

const plan = bench(() => {
  let actions = 0;
  for (const name of names) actions += planService(name, world).actions.length;
  if (actions !== 0) throw new Error(`steady state planned ${actions} actions`);
});
const apply = bench(() => {
  const p = planApply(records, desired, { source: '/srv/services.hcl', prune: false, now: at });
  if (p.put.length !== 100) throw new Error(`planApply: ${p.put.length} services to put, expected 100`);
});
process.stdout.write(JSON.stringify({ plan, apply }));
