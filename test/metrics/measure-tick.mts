/**
 * Measures what one metrics tick costs with 100 instances (`sleep` processes,
 * each its own process group). Not a test: run it by hand and read the figures.
 *
 *   npx tsx test/metrics/measure-tick.mts [instances=100] [rounds=30]
 *
 * Prints medians of CPU time (user + system of this whole process, libuv's
 * threads included) and wall time per tick, for the whole tick and its parts,
 * and the share of one core that a 10 s interval costs.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { scanProcessGroups } from '../../src/metrics/process-groups.js';
import { createMetricsSampler } from '../../src/metrics/sampler.js';
import { readUsage } from '../../src/metrics/usage.js';

const instances = Number(process.argv[2] ?? 100);
const rounds = Number(process.argv[3] ?? 30);
const INTERVAL_MS = 10_000;

interface Cost { cpuMs: number; wallMs: number }

async function measure(name: string, run: () => unknown, pauseMs: number): Promise<Cost> {
  const costs: Cost[] = [];
  for (let i = 0; i < rounds; i++) {
    await sleep(pauseMs);
    const cpu = process.cpuUsage();
    const start = performance.now();
    await run();
    const wallMs = performance.now() - start;
    const used = process.cpuUsage(cpu);
    costs.push({ cpuMs: (used.user + used.system) / 1000, wallMs });
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const cost = { cpuMs: median(costs.map((c) => c.cpuMs)), wallMs: median(costs.map((c) => c.wallMs)) };
  const share = (cost.cpuMs / INTERVAL_MS) * 100;
  console.log(`${name.padEnd(46)} cpu ${cost.cpuMs.toFixed(2).padStart(6)} ms  wall ${cost.wallMs.toFixed(2).padStart(6)} ms  = ${share.toFixed(3)} % of a core at 10 s`);
  return cost;
}

/** What reading /proc ourselves would cost: stat (utime, stime) and statm (RSS) of each pid. */
function readOwn(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const statm = readFileSync(`/proc/${pid}/statm`, 'latin1').split(' ');
      total += Number(fields[11]) + Number(fields[12]) + Number(statm[1]);
    } catch {
      // gone
    }
  }
  return total;
}

const children = Array.from({ length: instances }, () => spawn('sleep', ['600'], { detached: true, stdio: 'ignore' }));
const targets = children.map((child, i) => ({ instance: `svc-${i}`, pid: child.pid as number }));
const pids = targets.map((t) => t.pid);
try {
  await sleep(300);
  const procCount = scanProcessGroups([]).size; // warm the module
  void procCount;
  console.log(`${instances} instances, ${readFileSync('/proc/loadavg', 'utf8').trim()} (loadavg), node ${process.version}`);
  const sampler = createMetricsSampler({ intervalMs: INTERVAL_MS, targets: () => targets, onSample: () => {} });
  await sampler.sampleNow(); // pidusage's first call runs `getconf` twice: not a tick's cost
  const tick = await measure('whole tick (scan + pidusage + aggregate)', () => sampler.sampleNow(), 200);
  await measure('  /proc scan for process groups', () => scanProcessGroups(pids), 200);
  await measure('  pidusage(100 pids), history kept (as used)', () => readUsage(pids, 15_000), 200);
  // A history shorter than the pause: every call opens each file again and reads it twice.
  await measure('  pidusage(100 pids), history expired', () => readUsage(pids, 50), 200);
  await measure('  own sync read of /proc/PID/stat + statm', () => readOwn(pids), 200);
  const samples = await sampler.sampleNow();
  console.log(`samples: ${samples.length}, processes each: ${samples[0]?.processes}`);
  console.log(`=> 100 instances at a 10 s interval: ${((tick.cpuMs / INTERVAL_MS) * 100).toFixed(3)} % of one core`);
} finally {
  for (const pid of pids) process.kill(pid, 'SIGKILL');
}
