/**
 * kill -9 of the agent at any moment of an apply: the next agent knows
 * every process the last one started (by the marker in their environment,
 * even when their pids never reached the store), so no instance runs twice
 * and nothing survives `delete --all` or `agent stop`.
 * HXE_KILL9_ROUNDS sets the number of kills of the first campaign (default 3).
 */
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestHome, type CliResult, type TestHome } from '../helpers/hxe.js';
import { isPidAlive, waitFor } from '../helpers/processes.js';

const ROUNDS = Number(process.env.HXE_KILL9_ROUNDS ?? 3);
const SERVICES = 100;
/** Each round runs `sleep <base + round * STRIDE + index>`: a process tells its instance and its round. */
const STRIDE = 1000;

let t: TestHome;
let base: number;
beforeEach(async () => {
  t = await createTestHome();
  base = 20_000_000 + Math.floor(Math.random() * 50_000) * 1000;
});
afterEach(async () => {
  try {
    await t.cleanup();
  } finally {
    // A failing campaign must not leak its copies into the next tests.
    for (const { pid } of sleepers()) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
  }
});

function manifest(round: number, count = SERVICES): string {
  return Array.from({ length: count }, (_, i) =>
    `service "s${i}" {\n  command = "sleep ${base + round * STRIDE + i}"\n  stop_timeout = "5s"\n}\n`).join('');
}

/** The live `sleep N` processes of this test: pid and N - base. */
function sleepers(): { pid: number; n: number }[] {
  const found: { pid: number; n: number }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try { argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0'); } catch { continue; }
    const n = Number(argv[1]) - base;
    if (argv[0] === 'sleep' && n >= 0 && n < (ROUNDS + 2) * STRIDE && isPidAlive(Number(entry))) found.push({ pid: Number(entry), n });
  }
  return found;
}

/** Pids of this test's processes by instance index. */
function sleepersByInstance(): Map<number, number[]> {
  const found = new Map<number, number[]>();
  for (const { pid, n } of sleepers()) found.set(n % STRIDE, [...(found.get(n % STRIDE) ?? []), pid]);
  return found;
}

/** How many processes of round `round` run. */
const roundProcesses = (round: number) => sleepers().filter(({ n }) => Math.floor(n / STRIDE) === round).length;
const countAll = () => sleepers().length;

async function killAgent(): Promise<void> {
  const pid = Number((await fs.readFile(path.join(t.home, 'agent.pid'), 'utf8')).trim());
  const helpers = spawnHelpersOf(pid);
  process.kill(pid, 'SIGKILL');
  await waitFor(() => !isPidAlive(pid), { what: 'the agent gone' });
  // Its spawn helper ends with it: nothing forks for a dead agent.
  await waitFor(() => helpers.every((helper) => !isPidAlive(helper)), { what: `the agent's spawn helper ${helpers.join(' ')} gone` });
}

/** The agent's spawn helper processes (children running dist/spawn-helper.js). */
function spawnHelpersOf(agent: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === agent && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('spawn-helper')) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const MOMENTS = ['during spawns', 'during apply', 'after apply'] as const;

/**
 * Applies round `round` and kills the agent at a random moment: once a
 * random number of the round's processes run (spawns in flight, their pids
 * most likely not yet written), during the apply, or just after it returns.
 */
async function applyAndKill(file: string, round: number): Promise<string> {
  const moment = MOMENTS[(round - 1) % MOMENTS.length];
  const applying = t.run(['apply', '-f', file]);
  let at: string;
  if (moment === 'during spawns') {
    const spawned = 1 + Math.floor(Math.random() * (SERVICES - 1));
    await waitFor(() => roundProcesses(round) >= spawned, { timeoutMs: 60_000, intervalMs: 5, what: `${spawned} processes of round ${round}` });
    at = `${spawned} of ${SERVICES} spawned`;
  } else {
    const delay = Math.floor(Math.random() * (moment === 'during apply' ? 300 : 100));
    if (moment === 'during apply') await pause(delay);
    else await applying.then(() => pause(delay));
    at = `+${delay} ms`;
  }
  await killAgent();
  await applying;
  return `${moment}, ${at}`;
}

/** Waits until every instance runs round `round`'s command, then checks that each has exactly one process. */
async function expectOneProcessEach(round: number, why: string): Promise<void> {
  await waitFor(async () => {
    const views = await t.api.list();
    return views.length === SERVICES && views.every((v) => v.status.state === 'running' && v.status.observedGeneration === v.metadata.generation
      && v.spec.command === `sleep ${base + round * STRIDE + Number(v.name.slice(1))}`);
  }, { timeoutMs: 90_000, intervalMs: 200, what: `all ${SERVICES} instances running round ${round} (${why})` });
  // A second copy found at start is stopped in the background: wait for the count to settle, then name what is wrong.
  const settled = await waitFor(() => {
    const counts = sleepersByInstance();
    return counts.size === SERVICES && [...counts.values()].every((pids) => pids.length === 1) ? counts : undefined;
  }, { timeoutMs: 15_000, intervalMs: 100 }).catch(() => sleepersByInstance());
  const duplicates = [...settled.entries()].filter(([, pids]) => pids.length > 1).map(([i, pids]) => `s${i}: ${pids.join(' ')}`);
  expect({ why, duplicates, instances: settled.size }).toEqual({ why, duplicates: [], instances: SERVICES });
}

/** Rounds of apply (the first creates the services, the next update them all) + kill -9 + a new agent; returns what each kill hit. */
async function campaign(rounds: number): Promise<string[]> {
  const file = path.join(t.dir, 'm.hcl');
  expect((await t.run(['agent', 'start'])).code).toBe(0);
  const moments: string[] = [];
  for (let round = 1; round <= rounds; round++) {
    await t.write('m.hcl', manifest(round));
    const why = `round ${round}, kill ${await applyAndKill(file, round)}`;
    moments.push(why);
    const restarted: CliResult = await t.run(['agent', 'start']);
    expect(restarted.code, restarted.stderr).toBe(0);
    // The killed apply may not have committed: apply again (converging, not killed).
    expect((await t.run(['apply', '-f', file])).code).toBe(0);
    await expectOneProcessEach(round, why);
  }
  return moments;
}

describe('kill -9 of the agent during and after applies', () => {
  it(`never duplicates an instance, and delete --all leaves no process (${ROUNDS} kills)`, async () => {
    const moments = await campaign(ROUNDS);
    const deleted = await t.run(['delete', '--all']);
    expect(deleted.code, deleted.stderr).toBe(0);
    await waitFor(async () => (await t.api.list()).length === 0, { timeoutMs: 60_000, what: 'every instance gone' });
    const left = await waitFor(() => countAll() === 0, { timeoutMs: 10_000 }).then(() => 0, () => countAll());
    console.log(`kill -9 campaign: ${ROUNDS} kills (${moments.join('; ')}), 0 duplicates, ${left} processes left after delete --all`);
    expect(left).toBe(0);
  }, 120_000 + ROUNDS * 60_000);

  it('agent stop after kills leaves no process', async () => {
    await campaign(1);
    const stopped = await t.run(['agent', 'stop']);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(countAll()).toBe(0);
  }, 240_000);
});

describe('a store set aside as corrupt', () => {
  it('leaves no service unsupervised for good: refused while the corrupt copy is kept, stopped by the next agent once it is removed', async () => {
    expect((await t.run(['agent', 'start'])).code).toBe(0);
    expect((await t.run(['apply', '-f', await t.write('m.hcl', manifest(0, 5)), '--wait'])).code).toBe(0);
    const pids = sleepers().map((s) => s.pid).sort();
    expect(pids).toHaveLength(5);
    await killAgent();
    await fs.writeFile(path.join(t.home, 'store.json'), '{"format": 1, "services": {');

    const refused = await t.run(['agent', 'start']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/corrupt/);
    // Refusing does not take the services down: they run on, unsupervised, until the user decides.
    expect(sleepers().map((s) => s.pid).sort()).toEqual(pids);

    for (const name of await fs.readdir(t.home)) if (name.startsWith('store.json.corrupt-')) await fs.rm(path.join(t.home, name));
    expect((await t.run(['agent', 'start'])).code).toBe(0);
    await waitFor(() => countAll() === 0, { timeoutMs: 15_000, what: 'the processes of the forgotten services stopped' });
    const events = (await t.api.events(undefined, 100)).filter((e) => e.type === 'OrphanStopped');
    expect(events.map((e) => e.service).sort()).toEqual(['s0', 's1', 's2', 's3', 's4']);
    expect(events[0].message).toMatch(/no such instance in the store/);
  });
});
