/**
 * Row 4 for PM2, run as its own process (PM2_HOME set by the caller): for
 * each name given as an argument, kill -9 its process and poll PM2's
 * programmatic API (list) back to back until a new pid is online. Prints a
 * JSON array of milliseconds.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_DIR } from '../lib/config.mjs';

const require = createRequire(path.join(REPO_DIR, 'package.json'));
const pm2 = require('pm2');

const call = (fn, ...args) => new Promise((resolve, reject) => fn.call(pm2, ...args, (err, value) => (err ? reject(err) : resolve(value))));

async function find(name) {
  const list = await call(pm2.list);
  return list.find((p) => p.name === name);
}

async function probe(name) {
  let before;
  for (let tries = 0; ; tries++) {
    before = await find(name);
    if (before?.pm2_env.status === 'online' && before.pid) break;
    if (tries > 500) throw new Error(`${name} not online`);
    await sleep(10);
  }
  const t0 = performance.now();
  process.kill(before.pid, 'SIGKILL');
  const deadline = t0 + 10_000;
  for (;;) {
    const p = await find(name);
    if (p?.pid && p.pid !== before.pid && p.pm2_env.status === 'online') return performance.now() - t0;
    if (performance.now() > deadline) throw new Error(`${name}: no new pid within 10 s`);
  }
}

await call(pm2.connect);
try {
  const samples = [];
  for (const name of process.argv.slice(2)) {
    samples.push(await probe(name));
    await sleep(20);
  }
  process.stdout.write(JSON.stringify(samples));
} finally {
  pm2.disconnect();
}
