/**
 * hxe alone, on one agent started first:
 * - row 10: `hxe run NAME -- sleep ARG` (one service from a command line)
 *   until its process is alive in /proc and `hxe get -o json` says running;
 * - row 11: a restart storm: 250 steady services plus 50 that exit at once
 *   and restart without delay; once the 250 run, the p99 of
 *   `hxe get -o json` and of a direct GET /v1/services, and the restart
 *   rate the agent sustained meanwhile (restarts counted in its statuses).
 */
import fs from 'node:fs';
import path from 'node:path';
import { now, sleep, waitFor } from '../lib/clock.mjs';
import { countSleeps, isAlive, sleepsWithPrefix } from '../lib/proc.mjs';
import { unixClient } from '../lib/unix-http.mjs';
import { fmtMs } from '../lib/format.mjs';
import { percentile } from '../lib/stats.mjs';

const CRASHING = 50;

/** 50 services that exit at once, restarted without delay (as row 4's, but never staying up). */
function crashingManifest(count) {
  return Array.from({ length: count }, (_, i) => `service "c-${String(i).padStart(2, '0')}" {
  command = "sh -c 'exit 1'"
  backoff {
    initial = "0s"
  }
  crashloop {
    max_restarts = 100000000
  }
}
`).join('\n');
}

async function runRow(driver, results, config) {
  for (let i = 0; i < config.runSamples; i++) {
    const arg = `${driver.work.prefix}9${String(i).padStart(3, '0')}`;
    const t0 = now();
    const result = await driver.runOne(`r-${i}`, arg);
    const commandMs = now() - t0;
    await waitFor(`hxe run r-${i} alive`, () => sleepsWithPrefix(arg).some((p) => isAlive(p.pid)), { timeoutMs: 10_000, intervalMs: 2 });
    await waitFor(`hxe run r-${i} running`, async () => {
      const list = JSON.parse((await driver.cli(['get', `r-${i}`, '-o', 'json'])).stdout);
      return list[0]?.status?.state === 'running';
    }, { timeoutMs: 10_000, intervalMs: 0 });
    results.add('10-run', 'hxe', now() - t0);
    results.add('10-run-cmd', 'hxe', commandMs);
    if (result.code !== 0) throw new Error(`hxe run: exit ${result.code}`);
  }
}

/** Sum of the crash-looping services' restart counters, by the API. */
async function restartsOf(api) {
  const list = await api.getJson('/v1/services');
  return list.filter((s) => s.name.startsWith('c-')).reduce((sum, s) => sum + (s.status?.restarts ?? 0), 0);
}

export async function stormPhase(driver, results, config, log) {
  driver.prepare();
  driver.useHome('home');
  await driver.startDaemon();
  await runRow(driver, results, config);
  await driver.cli(['delete', '--all']);
  fs.appendFileSync(driver.manifest, `\n${crashingManifest(CRASHING)}`);
  await driver.warmApply();
  const steady = driver.work.services.length;
  await waitFor(`${steady} steady processes`, () => countSleeps(driver.work.prefix) >= steady, { timeoutMs: 60_000, intervalMs: 20 });
  const api = unixClient(path.join(driver.home, 'agent.sock'));
  try {
    await sleep(1000);
    const r0 = await restartsOf(api);
    const t0 = now();
    const getMs = [];
    for (let i = 0; i < config.stormSamples; i++) getMs.push((await driver.status()).ms);
    const apiMs = [];
    for (let i = 0; i < config.stormSamples; i++) {
      const t = now();
      await api.getJson('/v1/services');
      apiMs.push(now() - t);
    }
    const rate = ((await restartsOf(api)) - r0) / ((now() - t0) / 1000);
    results.add('11-get', 'hxe', ...getMs);
    results.add('11-api', 'hxe', ...apiMs);
    results.add('11-rate', 'hxe', rate);
    log(`10 hxe run → running ${fmtMs(results.samples['10-run'].hxe.at(-1))}; 11 storm: ${rate.toFixed(0)} restarts/s, get p99 ${fmtMs(percentile(getMs, 99))}, API p99 ${fmtMs(percentile(apiMs, 99))}`);
  } finally {
    api.close();
  }
  await driver.stopAgent(60_000);
}
