/**
 * Row 8: 1,000 services on one hxe agent (started first, as in 1b): time to
 * all running, the agent's RSS, and the p99 latency of `hxe get -o json` and
 * of a direct GET /v1/services while they run; then `hxe agent stop` until
 * none is left (informational).
 */
import path from 'node:path';
import { now, sleep, waitFor } from '../lib/clock.mjs';
import { countSleeps, managerPids, rssKiB, sumOver } from '../lib/proc.mjs';
import { unixClient } from '../lib/unix-http.mjs';
import { fmtMs } from '../lib/format.mjs';
import { percentile } from '../lib/stats.mjs';
import { startUntilRunning } from './start-until-running.mjs';

export async function scalePhase(driver, results, config, log) {
  driver.prepare();
  driver.useHome('home');
  await driver.startDaemon();
  const start = await startUntilRunning(driver, () => driver.warmApply(), { timeoutMs: 120_000 });
  results.add('8-start', 'hxe', start.confirmedMs);
  results.add('8-start-proc', 'hxe', start.aliveMs);
  log(`8 ${config.scaleServices} services: alive ${fmtMs(start.aliveMs)}, get confirms ${fmtMs(start.confirmedMs)}`);
  await sleep(1000);
  results.add('8-rss', 'hxe', sumOver(managerPids(driver), rssKiB) / 1024);

  const getMs = [];
  for (let i = 0; i < config.scaleSamples; i++) getMs.push((await driver.status()).ms);
  results.add('8-get', 'hxe', ...getMs);

  const api = unixClient(path.join(driver.home, 'agent.sock'));
  const apiMs = [];
  try {
    for (let i = 0; i < config.scaleSamples; i++) {
      const t0 = now();
      const list = await api.getJson('/v1/services');
      apiMs.push(now() - t0);
      if (list.length !== config.scaleServices) throw new Error(`GET /v1/services: ${list.length} entries`);
    }
  } finally {
    api.close();
  }
  results.add('8-api', 'hxe', ...apiMs);
  const t0 = now();
  await driver.stopAgent(120_000);
  await waitFor('1,000 processes gone', () => countSleeps(driver.work.prefix) === 0, { timeoutMs: 60_000, intervalMs: 20 });
  results.add('8-stop', 'hxe', now() - t0);
  log(`8 get -o json p99 ${fmtMs(percentile(getMs, 99))}, API p99 ${fmtMs(percentile(apiMs, 99))}, agent stop ${fmtMs(now() - t0)}`);
}
