/**
 * Rows 2 (RSS with N services) and 3 (idle CPU): every daemon left running
 * by the active phases idles together for one window; their own CPU ticks
 * and RSS are read from /proc, which does not disturb them. With diffAfterMs,
 * hxe then idles on until its agent has had no client for that long, and
 * one `hxe diff` measures row 6b.
 */
import { CLK_TCK, cpuTicks, managerPids, pssKiB, rssKiB, sumOver } from '../lib/proc.mjs';
import { now, sleep } from '../lib/clock.mjs';
import { fmtMs } from '../lib/format.mjs';

export async function idlePhase(drivers, results, { cpuSeconds, diffAfterMs, log }) {
  await sleep(3000); // settle after the warm starts
  const before = drivers.map((d) => {
    const pids = managerPids(d);
    return { d, pids, ticks: sumOver(pids, cpuTicks), t: now() };
  });
  log(`3 idle CPU: ${cpuSeconds} s window for ${drivers.map((d) => d.name).join(', ')}`);
  await sleep(cpuSeconds * 1000);
  for (const { d, pids, ticks, t } of before) {
    const after = sumOver(pids, cpuTicks);
    const seconds = (now() - t) / 1000;
    if (ticks === null || after === null) {
      results.error(`${d.name} idle`, new Error(`daemon pid ${pids[0]} gone`));
      continue;
    }
    const percent = ((after - ticks) / CLK_TCK / seconds) * 100;
    results.add('3', d.name, percent);
    const members = managerPids(d);
    const rss = sumOver(members, rssKiB) / 1024;
    results.add('2-rss100', d.name, rss);
    results.add('2-pss100', d.name, sumOver(members, pssKiB) / 1024);
    if (d.rss0) results.add('2-delta', d.name, rss - d.rss0);
    log(`${d.name}: ${percent.toFixed(3)} % of a core, RSS ${rss.toFixed(1)} MB (${members.length} process${members.length > 1 ? 'es' : ''})`);
  }
  const hxe = drivers.find((d) => d.name === 'hxe');
  if (hxe && diffAfterMs) {
    const wait = hxe.lastContact + diffAfterMs - now();
    log(`6b: hxe agent idle ${Math.round(diffAfterMs / 1000)} s (waiting ${Math.max(0, wait / 1000).toFixed(0)} s more)`);
    if (wait > 0) await sleep(wait);
    const diffMs = await hxe.diff();
    results.add('6b', 'hxe', diffMs);
    log(`6b diff after idle: ${fmtMs(diffMs)}`);
  }
}
