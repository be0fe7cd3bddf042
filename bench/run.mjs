/**
 * `make bench`: the same workload on hxe, PM2 and supervisord, alternating
 * tools, several repeats; prints a table of medians (min–max) with hxe/peer
 * ratios and targets, writes it as JSON under bench/results/. Leaves no
 * process behind. BENCH_QUICK=1: one repeat, shorter windows;
 * BENCH_ONLY=hxe (or hxe,pm2): skip peers; BENCH_PHASES=storm,scale: only
 * those parts (planner, repeats, scale, storm). See docs/performance.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as setTimer } from 'node:timers';
import { config, HXE_BIN, PM2_BIN } from './lib/config.mjs';
import { run } from './lib/exec.mjs';
import { revision } from './lib/revision.mjs';
import { now, sleep } from './lib/clock.mjs';
import { createResults } from './lib/results.mjs';
import { DRIVERS } from './lib/drivers.mjs';
import { killLeftovers } from './lib/cleanup.mjs';
import { ensureSupervisord } from './lib/ensure-supervisord.mjs';
import { machineInfo } from './lib/machine.mjs';
import { summarizeResults } from './lib/summary.mjs';
import { renderNotes, renderTable } from './lib/table.mjs';
import { writeResults } from './lib/write-results.mjs';
import { RUN_PREFIX, TOKEN, workload } from './lib/workload.mjs';
import { describeMethod } from './lib/method-notes.mjs';
import { activePhase } from './scenarios/active-phase.mjs';
import { idlePhase } from './scenarios/idle-phase.mjs';
import { scalePhase } from './scenarios/scale.mjs';
import { plannerPhase } from './scenarios/planner.mjs';
import { stormPhase } from './scenarios/storm.mjs';

const root = path.join(os.tmpdir(), `hxb-${TOKEN}`);
const started = now();
const date = new Date().toISOString();
const log = (message) => console.log(`[${((now() - started) / 1000).toFixed(0).padStart(4)} s] ${message}`);
const results = createResults();
const tools = [...config.tools];
const skipped = {};

function emergencyExit(why, code) {
  console.error(`\nbench: ${why}: killing every process of this run`);
  const killed = killLeftovers(root, RUN_PREFIX);
  for (const p of killed) console.error(`  killed ${p.pid} ${p.cmdline}`);
  fs.rmSync(root, { recursive: true, force: true });
  process.exit(code);
}
process.on('SIGINT', () => emergencyExit('interrupted', 130));
process.on('SIGTERM', () => emergencyExit('terminated', 143));
setTimer(() => emergencyExit(`still running after ${config.deadlineMs / 60_000} min`, 1), config.deadlineMs).unref();

async function checkTools() {
  const version = await run(HXE_BIN, ['--version'], { timeoutMs: 30_000 });
  if (version.code !== 0) throw new Error(`${HXE_BIN} --version failed (is hxe built? make build): ${version.stderr.trim().slice(0, 300)}`);
  if (tools.includes('pm2') && !fs.existsSync(PM2_BIN)) {
    skipped.pm2 = `${PM2_BIN} missing (npm ci): skipped`;
  }
  if (tools.includes('supervisord')) {
    const sv = await ensureSupervisord(log);
    if (!sv.ok) skipped.supervisord = sv.note;
    else if (sv.note) log(sv.note);
  }
  for (const [tool, note] of Object.entries(skipped)) {
    log(`${tool}: ${note}`);
    tools.splice(tools.indexOf(tool), 1);
  }
}

async function repeat(r) {
  const order = tools.map((_, i) => tools[(i + r) % tools.length]);
  const up = [];
  try {
    for (const tool of order) {
      const driver = DRIVERS[tool](path.join(root, `r${r}`, tool), workload(tool, config.services));
      log(`repeat ${r + 1}/${config.repeats}: ${tool}`);
      try {
        await activePhase(driver, results, config, (m) => log(`  ${tool} ${m}`));
        up.push(driver);
      } catch (err) {
        results.error(`repeat ${r + 1} ${tool}`, err);
        await driver.shutdown().catch(() => {});
      }
    }
    if (up.length) {
      const last = r === config.repeats - 1;
      await idlePhase(up, results, { cpuSeconds: config.idleCpuSeconds, diffAfterMs: last ? config.idleDiffSeconds * 1000 : 0, log: (m) => log(`  ${m}`) });
    }
  } catch (err) {
    results.error(`repeat ${r + 1} idle`, err);
  } finally {
    for (const driver of up) await driver.shutdown().catch((err) => results.error(`${driver.name} shutdown`, err));
  }
}

async function scale() {
  const driver = DRIVERS.hxe(path.join(root, 'scale'), workload('hxe-scale', config.scaleServices));
  log(`scale: ${config.scaleServices} services on one hxe agent`);
  try {
    await scalePhase(driver, results, config, (m) => log(`  ${m}`));
  } catch (err) {
    results.error('scale', err);
  } finally {
    await driver.shutdown().catch((err) => results.error('scale shutdown', err));
  }
}

async function storm() {
  const driver = DRIVERS.hxe(path.join(root, 'storm'), workload('hxe-storm', config.stormServices));
  log(`storm: hxe run, then ${config.stormServices} steady + 50 crash-looping services on one hxe agent`);
  try {
    await stormPhase(driver, results, config, (m) => log(`  ${m}`));
  } catch (err) {
    results.error('storm', err);
  } finally {
    await driver.shutdown().catch((err) => results.error('storm shutdown', err));
  }
}

async function main() {
  const machine = machineInfo();
  log(`hxe bench ${config.quick ? '(quick) ' : ''}on ${machine.nproc} × ${machine.model}, Node ${machine.node} (bare start ${machine.nodeStartMs} ms${machine.nodeExtraCaCerts ? ', NODE_EXTRA_CA_CERTS set' : ''}); tools: ${config.tools.join(', ')}; ${config.repeats} repeat(s); run dir ${root}`);
  const rev = await revision();
  log(`hxe at ${rev.commit ?? '?'}${rev.modifiedFiles ? ` + ${rev.modifiedFiles} modified files` : ''}${rev.label ? ` (${rev.label})` : ''}`);
  await checkTools();
  fs.mkdirSync(root, { recursive: true });

  if (config.phases.has('planner')) await plannerPhase(results, config, log).catch((err) => results.error('planner', err));
  if (config.phases.has('repeats')) for (let r = 0; r < config.repeats; r++) await repeat(r);

  if (config.scale && config.phases.has('scale')) await scale();
  else if (!config.scale) results.note('8-start', 'skipped in quick mode (BENCH_SCALE=1 runs it)');
  if (config.phases.has('storm')) await storm();

  describeMethod(results, config, skipped);
  await sleep(500);
  const leftovers = killLeftovers(root, RUN_PREFIX);
  fs.rmSync(root, { recursive: true, force: true });

  const rows = summarizeResults(results, ['hxe', ...tools.filter((t) => t !== 'hxe')]);
  machine.loadavgEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const report = {
    date, durationS: Math.round((now() - started) / 1000), machine, revision: rev,
    config: { quick: config.quick, repeats: config.repeats, tools, skipped, services: config.services, idleCpuSeconds: config.idleCpuSeconds, idleDiffSeconds: config.idleDiffSeconds },
    rows, errors: results.errors, leftovers,
  };
  const file = writeResults(report);

  console.log(`\n${renderTable(rows, tools)}\n\nNotes:\n${renderNotes(rows)}`);
  const missed = rows.filter((r) => r.met === false).map((r) => r.id);
  console.log(`\nTargets missed by hxe: ${missed.length ? missed.join(', ') : 'none'}`);
  if (results.errors.length) console.log(`\nErrors (rows left incomplete):\n${results.errors.map((e) => `- ${e}`).join('\n')}`);
  if (leftovers.length) console.log(`\nLEFTOVER processes (killed):\n${leftovers.map((p) => `- ${p.pid} ${p.cmdline}`).join('\n')}`);
  else console.log('\nNo process of this run is left (checked in /proc).');
  console.log(`Results: ${path.relative(process.cwd(), file)} (and bench/results/latest.json); took ${report.durationS} s`);
  return results.errors.length || leftovers.length ? 1 : 0;
}

main().then((code) => process.exit(code), (err) => {
  console.error(err);
  emergencyExit('crashed', 1);
});
