// GitOps figures (issue "GitOps"): the latency from a manifest write to the
// new process running (median of 20), and the agent's CPU while it watches a
// directory of 500 manifests with no changes.   node bench/sync-latency.mjs
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/hxe', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'hxe-synclat-'));
const home = path.join(dir, 'home');
const repo = path.join(dir, 'repo');
const env = { ...process.env, HXE_HOME: home, NO_COLOR: '1' };
const hxe = (...args) => execFileSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' });
const base = 5_300_000 + Math.floor(Math.random() * 1000) * 100;
const idleSeconds = Number(process.env.IDLE_SECONDS ?? 30);

function services() {
  return new Promise((resolve, reject) => {
    http.get({ socketPath: path.join(home, 'agent.sock'), path: '/v1/services?name=lat' }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  });
}
const cpuTicks = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  mkdirSync(repo);
  const write = (n) => writeFileSync(path.join(repo, 'lat.hcl'), `service "lat" {\n  command = "sleep ${base + n}"\n  backoff {\n    initial = "0s"\n  }\n}\n`);
  write(0);
  hxe('sync', repo, '--watch');
  const latencies = [];
  for (let i = 1; i <= 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const began = performance.now();
    write(i);
    for (;;) {
      const [view] = await services();
      if (view?.spec.command === `sleep ${base + i}` && view.status.state === 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    latencies.push(performance.now() - began);
  }
  console.log(`file write → new process running: median ${median(latencies).toFixed(0)} ms (min ${Math.min(...latencies).toFixed(0)}, max ${Math.max(...latencies).toFixed(0)}, n=20; debounce 300 ms + write settle 150 ms included)`);

  for (let i = 0; i < 500; i++) writeFileSync(path.join(repo, `m${i}.hcl`), `service "m${i}" {\n  command = "sleep ${base + 50 + i}"\n  disabled = true\n}\n`);
  await new Promise((resolve) => setTimeout(resolve, 15_000));
  const pid = Number(readFileSync(path.join(home, 'agent.pid'), 'utf8'));
  const before = cpuTicks(pid);
  await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
  const ticks = cpuTicks(pid) - before;
  const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
  console.log(`agent CPU watching 501 manifests, no changes, ${idleSeconds} s: ${((ticks / hz / idleSeconds) * 100).toFixed(2)} % of a core (metrics on, default 10 s interval)`);
} finally {
  try { hxe('agent', 'stop'); } catch (err) { console.error(`agent stop failed: ${err.message}`); }
  rmSync(dir, { recursive: true, force: true });
}
