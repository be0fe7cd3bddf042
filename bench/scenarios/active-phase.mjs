/**
 * One tool, one repeat, everything but the idle rows: cold start (1a),
 * status latency (5), diff (6a, hxe), no-op apply (6c, hxe), kill -9 (4), remove all (7), then a
 * fresh daemon: its idle RSS (2, 0 services) and a warm start (1b). Leaves
 * the warm daemon running with N services for the idle phase.
 */
import { sleep } from '../lib/clock.mjs';
import { managerPids, rssKiB, sumOver } from '../lib/proc.mjs';
import { median } from '../lib/stats.mjs';
import { fmtMs as ms } from '../lib/format.mjs';
import { removeUntilGone, startUntilRunning } from './start-until-running.mjs';

export async function activePhase(driver, results, config, log) {
  const tool = driver.name;
  driver.prepare();

  driver.useHome('cold');
  const cold = await startUntilRunning(driver, () => driver.coldStart());
  results.add('1a', tool, cold.confirmedMs);
  results.add('1a-proc', tool, cold.aliveMs);
  results.add('1a-cmd', tool, cold.commandMs);
  log(`1a cold start: alive ${ms(cold.aliveMs)}, status confirms ${ms(cold.confirmedMs)} (command ${ms(cold.commandMs)})`);

  const statusMs = [];
  for (let i = 0; i < config.statusSamples; i++) statusMs.push((await driver.status()).ms);
  results.add('5', tool, ...statusMs);
  log(`5 status: ${statusMs.map(ms).join(' ')}`);

  if (driver.diff) {
    const diffMs = [];
    for (let i = 0; i < config.diffSamples; i++) diffMs.push(await driver.diff());
    results.add('6a', tool, ...diffMs);
    log(`6a diff: ${diffMs.map(ms).join(' ')}`);
  }
  if (driver.noopApply) {
    const applyMs = [];
    for (let i = 0; i < config.diffSamples; i++) applyMs.push(await driver.noopApply());
    results.add('6c', tool, ...applyMs);
    log(`6c no-op apply: ${applyMs.map(ms).join(' ')}`);
  }

  const names = Array.from({ length: config.killSamples }, (_, i) => driver.work.services[(i * 7) % driver.work.services.length].name);
  const kills = await driver.killSeries(names);
  results.add('4', tool, ...kills);
  results.note('4', `${tool}: ${driver.killMethod}`);
  log(`4 kill -9 → new pid: median ${ms(median(kills))}`);

  const removed = await removeUntilGone(driver);
  results.add('7', tool, removed.goneMs);
  results.add('7-cmd', tool, removed.commandMs);
  log(`7 ${driver.removeCommand}: gone after ${ms(removed.goneMs)} (command ${ms(removed.commandMs)})`);
  await driver.shutdown();

  driver.useHome('warm');
  await driver.startDaemon();
  await sleep(1000);
  driver.rss0 = sumOver(managerPids(driver), rssKiB) / 1024;
  results.add('2-rss0', tool, driver.rss0);
  const warm = await startUntilRunning(driver, () => driver.warmApply());
  results.add('1b', tool, warm.confirmedMs);
  results.add('1b-proc', tool, warm.aliveMs);
  results.add('1b-cmd', tool, warm.commandMs);
  log(`1b warm start: alive ${ms(warm.aliveMs)}, status confirms ${ms(warm.confirmedMs)} (command ${ms(warm.commandMs)})`);
}
