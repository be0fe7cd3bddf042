/** The notes printed under the table: how each row was measured. */

export function describeMethod(results, config, skipped) {
  const n = results.note;
  n('1a', 'from launching the start command with nothing running (hxe apply, which starts the agent; pm2 start ecosystem, which starts the God daemon; supervisord -c) until all 100 sleeps are alive in /proc and then one run of the status CLI (hxe get -o json / pm2 jlist / supervisorctl status) says all running');
  n('1b', 'daemon started first with nothing (hxe agent start / pm2 ping / supervisord with no program), then timed: hxe apply / pm2 start / supervisorctl update (programs file written before the timer)');
  n('2-rss0', 'VmRSS of the daemon, 1 s after it started; for hxe the agent plus its helper processes (spawn helper, manifest parser) while they run');
  n('2-rss100', 'VmRSS of the same daemon (hxe: agent + helpers) with 100 services, after the idle window');
  n('2-pss100', 'Pss (smaps_rollup) of the same processes: what they cost together, a page shared by two counted half in each');
  n('3', `utime+stime of the daemon over a ${config.idleCpuSeconds} s window; all tools' daemons idle at the same time; % of one core`);
  n('5', `${config.statusSamples} runs per repeat, spawn to exit`);
  n('6a', `${config.diffSamples} runs per repeat, each right after an apply or a diff; exit 0 (no changes)`);
  n('6b', `one run per bench, in the last repeat, after the agent had no client for ${config.idleDiffSeconds} s${config.quick ? ' (quick mode: 10 s instead of 2 min)' : ''}`);
  n('7', 'from launching hxe delete --all / pm2 delete all / supervisorctl stop all until none of the 100 is alive in /proc');
  n('8-start', 'hxe only (peers skipped: pm2 with 1,000 apps is slow); agent started first, then hxe apply; until all alive in /proc and hxe get -o json says running');
  n('8-get', `${config.scaleSamples} samples, nearest-rank p99 (of ${config.scaleSamples}: the largest)`);
  n('8-api', `${config.scaleSamples} samples over one keep-alive connection, nearest-rank p99`);
  for (const [tool, note] of Object.entries(skipped)) n('1a', `${tool}: ${note}`);
}
