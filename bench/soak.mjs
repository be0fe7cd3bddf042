// The long chaos run (issue "Survive"): many services crash-looping fast
// beside long-running ones, for SOAK_SECONDS (default 600). Prints the
// agent's RSS at start and end, the restarts it handled, and the duplicates
// found (a long-running service with more than one live process): must be 0.
//   node bench/soak.mjs            (after make build)
//   SOAK_SECONDS=120 SOAK_CRASHERS=50 node bench/soak.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/hxe', import.meta.url));
const seconds = Number(process.env.SOAK_SECONDS ?? 600);
const crashers = Number(process.env.SOAK_CRASHERS ?? 50);
const steady = Number(process.env.SOAK_STEADY ?? 20);
const dir = mkdtempSync(path.join(os.tmpdir(), 'hxe-soak-'));
const home = path.join(dir, 'home');
const base = 6_100_000 + Math.floor(Math.random() * 1000) * 100;
const env = { ...process.env, HXE_HOME: home, NO_COLOR: '1' };
const hxe = (...args) => execFileSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 120_000 });

const manifest = [
  ...Array.from({ length: crashers }, (_, i) => `service "crash-${i}" {\n  command = "sh -c 'sleep 1; exit 1'"\n  backoff {\n    initial = "0s"\n  }\n  crashloop {\n    max_restarts = 1000000\n  }\n}\n`),
  ...Array.from({ length: steady }, (_, i) => `service "steady-${i}" {\n  command = "sleep ${base + i}"\n}\n`),
].join('');
writeFileSync(path.join(dir, 'soak.hcl'), manifest);

const fdsOf = (pid) => readdirSync(`/proc/${pid}/fd`).length;
const rssOf = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const agentPid = () => Number(readFileSync(path.join(home, 'agent.pid'), 'utf8'));
const restarts = () => JSON.parse(hxe('get', '-o', 'json')).reduce((sum, v) => sum + v.status.restarts, 0);
/** Live processes running `sleep N` for each steady service: exactly one each, or a duplicate. */
function duplicates() {
  const counts = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline;
    try { cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0'); } catch { continue; }
    const n = Number(cmdline[1]);
    if (cmdline[0] === 'sleep' && n >= base && n < base + steady) counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  return [...counts.values()].filter((c) => c > 1).length;
}

try {
  hxe('apply', '-f', path.join(dir, 'soak.hcl'));
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const pid = agentPid();
  const start = { rss: rssOf(pid), fds: fdsOf(pid), restarts: restarts() };
  let worstDuplicates = 0;
  let maxGet = 0;
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const began = Date.now();
    hxe('get', '-o', 'json');
    maxGet = Math.max(maxGet, Date.now() - began);
    worstDuplicates = Math.max(worstDuplicates, duplicates());
  }
  const end = { rss: rssOf(pid), fds: fdsOf(pid), restarts: restarts() };
  console.log(`soak: ${seconds}s, ${crashers} crash-looping + ${steady} steady services`);
  console.log(`agent RSS: start ${start.rss.toFixed(1)} MB, end ${end.rss.toFixed(1)} MB`);
  console.log(`agent open descriptors: start ${start.fds}, end ${end.fds}`);
  console.log(`restarts handled: ${end.restarts - start.restarts} (total ${end.restarts})`);
  console.log(`slowest get during the soak: ${maxGet} ms`);
  console.log(`duplicates found: ${worstDuplicates}`);
} finally {
  try { hxe('agent', 'stop'); } catch (err) { console.error(`agent stop failed: ${err.message}`); }
  rmSync(dir, { recursive: true, force: true });
}
