/**
 * The rows of the table: what each measures, its unit, which statistic is
 * its value, and the target hxe is held to (v: value per tool, a missing
 * tool is undefined). A check returns true/false, or null when it cannot tell.
 */

const all = (...conditions) => {
  const known = conditions.filter((c) => c !== null);
  return known.length ? known.every(Boolean) : null;
};
const vsPeer = (hxe, peer, factor) => (hxe === undefined || peer === undefined ? null : hxe <= factor * peer);
const below = (hxe, limit) => (hxe === undefined ? null : hxe <= limit);

export const ROWS = [
  { id: '1a', label: '1a cold start, 100: start → all alive + status says running', unit: 'ms', target: '≤ 0.5 × PM2 and < supervisord',
    check: (v) => all(vsPeer(v.hxe, v.pm2, 0.5), v.hxe === undefined || v.supervisord === undefined ? null : v.hxe < v.supervisord) },
  { id: '1a-proc', label: '    (all 100 alive in /proc)', unit: 'ms' },
  { id: '1a-cmd', label: '    (start command returned)', unit: 'ms' },
  { id: '1b', label: '1b warm start, 100: apply to running daemon → all running', unit: 'ms', target: '≤ 0.4 × PM2',
    check: (v) => vsPeer(v.hxe, v.pm2, 0.4) },
  { id: '1b-proc', label: '    (all 100 alive in /proc)', unit: 'ms' },
  { id: '1b-cmd', label: '    (apply command returned)', unit: 'ms' },
  { id: '2-rss0', label: '2 manager RSS, 0 services (idle daemon)', unit: 'MB' },
  { id: '2-rss100', label: '2 manager RSS, 100 services', unit: 'MB', target: '≤ 0.85 × PM2', check: (v) => vsPeer(v.hxe, v.pm2, 0.85) },
  { id: '2-pss100', label: '    (PSS: pages shared between processes split among them)', unit: 'MB' },
  { id: '2-delta', label: '2 RSS cost of 100 services (100 − 0)', unit: 'MB', target: '≤ 5 MB', check: (v) => below(v.hxe, 5) },
  { id: '3', label: '3 manager CPU, idle, 100 services', unit: '%', target: '≤ 0.2 % of a core', check: (v) => below(v.hxe, 0.2) },
  { id: '4', label: '4 kill -9 → new pid in status (median of kills)', unit: 'ms', target: '≤ 4 ms', check: (v) => below(v.hxe, 4) },
  { id: '5', label: '5 status CLI latency, 100 services', unit: 'ms', target: '≤ 120 ms', check: (v) => below(v.hxe, 120) },
  { id: '6a', label: '6a hxe diff 100, after a diff/apply', unit: 'ms', target: '≤ 130 ms', check: (v) => below(v.hxe, 130), hxeOnly: true },
  { id: '6c', label: '6c hxe apply 100, unchanged (no-op), warm', unit: 'ms', hxeOnly: true },
  { id: '6b', label: '6b hxe diff 100, first after agent idle', unit: 'ms', target: '≤ 600 ms', check: (v) => below(v.hxe, 600), hxeOnly: true },
  { id: '7', label: '7 stop/delete all 100 → none in /proc', unit: 'ms', target: '≤ 180 ms', check: (v) => below(v.hxe, 180) },
  { id: '7-cmd', label: '    (command returned)', unit: 'ms' },
  { id: '8-start', label: '8 1,000 services: apply → all running (get)', unit: 'ms', target: '≤ 3.5 s', check: (v) => below(v.hxe, 3500), hxeOnly: true },
  { id: '8-start-proc', label: '    (all 1,000 alive in /proc)', unit: 'ms', hxeOnly: true },
  { id: '8-rss', label: '8 agent RSS (with its helpers), 1,000 services', unit: 'MB', hxeOnly: true },
  { id: '8-get', label: '8 get -o json, 1,000 services: p99', unit: 'ms', stat: 'p99', target: '≤ 150 ms', check: (v) => below(v.hxe, 150), hxeOnly: true },
  { id: '8-api', label: '8 API GET /v1/services, 1,000: p99', unit: 'ms', stat: 'p99', target: '≤ 30 ms', check: (v) => below(v.hxe, 30), hxeOnly: true },
  { id: '8-stop', label: '8 hxe agent stop, 1,000 → none in /proc', unit: 'ms', hxeOnly: true },
  { id: '9-plan', label: '9 planService × 10,000 (steady state)', unit: 'ms', target: '≤ 50 ms', check: (v) => below(v.hxe, 50), hxeOnly: true },
  { id: '9-apply', label: '9 planApply 10,000 vs 10,000, 100 changed', unit: 'ms', target: '≤ 40 ms', check: (v) => below(v.hxe, 40), hxeOnly: true },
  { id: '10-run', label: '10 hxe run: one service, warm agent → running (get)', unit: 'ms', hxeOnly: true },
  { id: '10-run-cmd', label: '    (run command returned)', unit: 'ms', hxeOnly: true },
  { id: '11-get', label: '11 get -o json under a restart storm (250 + 50 crash-looping): p99', unit: 'ms', stat: 'p99', target: '≤ 300 ms', check: (v) => below(v.hxe, 300), hxeOnly: true },
  { id: '11-api', label: '11 API GET /v1/services, same storm: p99', unit: 'ms', stat: 'p99', hxeOnly: true },
  { id: '11-rate', label: '11 restarts per second during the storm', unit: '/s', hxeOnly: true },
];
