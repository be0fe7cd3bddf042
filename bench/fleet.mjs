// Fleet figures (issue "Fleet"): 3 agents × N services (default 300), apply →
// all running; a node's death → its instances running elsewhere; one NATS
// server of three killed → restarts caused; an agent's RSS with and without
// the fleet. Needs nats-server (skipped, saying so, without it).
//   node bench/fleet.mjs            FLEET_SERVICES=300
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/hxe', import.meta.url));
const COUNT = Number(process.env.FLEET_SERVICES ?? 300);
const dir = mkdtempSync(path.join(os.tmpdir(), 'hxe-fleetb-'));
const base = 6_300_000 + Math.floor(Math.random() * 1000) * 1000;
const servers = [];
const homes = [];

if (spawnSync('sh', ['-c', 'command -v nats-server']).status !== 0) {
  console.log('fleet bench skipped: nats-server is not installed (apt-get install nats-server)');
  process.exit(0);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const freePort = () => new Promise((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }); });
const hxe = (home, ...args) => execFileSync(process.execPath, [BIN, ...args], { env: { ...process.env, HXE_HOME: home, NO_COLOR: '1' }, encoding: 'utf8', maxBuffer: 256 << 20 });
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const agentPid = (home) => Number(readFileSync(path.join(home, 'agent.pid'), 'utf8'));

async function natsServer(port, extra = []) {
  const sd = mkdtempSync(path.join(dir, 'js-'));
  const child = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', sd, ...extra], { stdio: 'ignore' });
  servers.push(child);
  for (;;) {
    const up = await new Promise((resolve) => { const s = net.connect(port, '127.0.0.1'); s.once('connect', () => { s.destroy(); resolve(true); }); s.once('error', () => resolve(false)); });
    if (up) return child;
    await sleep(50);
  }
}

function startAgent(name, urls, cluster) {
  const home = path.join(dir, `${cluster}-${name}`);
  mkdirSync(home, { recursive: true });
  const config = path.join(home, '..', `${cluster}-${name}.hcl`);
  const nats = urls ? `  nats {\n    servers = [${urls.map((u) => `"${u}"`).join(', ')}]\n    cluster_name = "${cluster}"\n  }\n` : '';
  writeFileSync(config, `agent {\n  name = "${name}"\n  metrics { enabled = false }\n${nats}}\n`);
  hxe(home, 'agent', 'start', '--config', config);
  homes.push(home);
  return home;
}

function manifest(offset, count) {
  const file = path.join(dir, `m${offset}.hcl`);
  writeFileSync(file, Array.from({ length: count }, (_, i) => `service "s${i}" {\n  command = "sleep ${base + offset + i}"\n}\n`).join(''));
  return file;
}

/** Live `sleep N` processes with N in [from, from + count): real processes, whoever started them. */
function sleeping(from, count) {
  let n = 0;
  for (const entry of execFileSync('ls', ['/proc'], { encoding: 'utf8' }).split('\n')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmd;
    try { cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0'); } catch { continue; }
    const k = Number(cmd[1]) - base;
    if (cmd[0] === 'sleep' && k >= from && k < from + count) n++;
  }
  return n;
}

const fleetGet = (home, url, cluster) => JSON.parse(hxe(home, '--server', url, '--cluster', cluster, 'get', '-o', 'json'));

async function until(check, timeoutMs = 120_000) {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await sleep(100);
  }
}

async function single() {
  const port = await freePort();
  await natsServer(port);
  const url = `nats://127.0.0.1:${port}`;
  const agents = ['a', 'b', 'c'].map((n) => startAgent(`node-${n}`, [url], 'bench'));
  await sleep(3_000); // every node registered and past its first heartbeat
  const started = Date.now();
  hxe(agents[0], '--server', url, '--cluster', 'bench', 'apply', '-f', manifest(0, COUNT));
  await until(() => sleeping(0, COUNT) === COUNT);
  console.log(`apply of ${COUNT} services on 3 agents → all ${COUNT} processes up: ${((Date.now() - started) / 1000).toFixed(2)} s`);
  const views = await until(() => { const v = fleetGet(agents[0], url, 'bench'); return v.length === COUNT && v.every((x) => x.status.state === 'running') && v; });
  console.log(`apply of ${COUNT} services on 3 agents → all running as hxe get shows it: ${((Date.now() - started) / 1000).toFixed(2)} s`);
  const getStarted = Date.now();
  fleetGet(agents[0], url, 'bench');
  console.log(`hxe get of ${COUNT} instances from the fleet (one CLI run): ${((Date.now() - getStarted) / 1000).toFixed(2)} s`);
  console.log(`agent RSS with the fleet (${COUNT / 3} instances each): ${agents.map((h) => rssMb(agentPid(h)).toFixed(0)).join(', ')} MB`);
  const local = startAgent('local', null, 'bench');
  hxe(local, 'apply', '-f', manifest(COUNT, COUNT / 3), '--wait');
  console.log(`agent RSS without the fleet (${COUNT / 3} instances): ${rssMb(agentPid(local)).toFixed(0)} MB`);
  hxe(local, 'agent', 'stop');

  const victim = agents[2];
  const moved = views.filter((v) => v.status.node === 'node-c').map((v) => v.name);
  const killedAt = Date.now();
  process.kill(agentPid(victim), 'SIGKILL');
  for (const v of views) if (v.status.node === 'node-c') try { process.kill(-v.status.pid, 'SIGKILL'); } catch { /* gone */ }
  await until(() => { const v = fleetGet(agents[0], url, 'bench'); return moved.every((name) => { const x = v.find((y) => y.name === name); return x.status.node !== 'node-c' && x.status.state === 'running'; }); });
  console.log(`node death → its ${moved.length} instances running elsewhere: ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);
  for (const home of agents.slice(0, 2)) hxe(home, 'agent', 'stop');
}

async function cluster() {
  const ports = [await freePort(), await freePort(), await freePort()];
  const routes = [await freePort(), await freePort(), await freePort()];
  const routeList = routes.map((p) => `nats://127.0.0.1:${p}`).join(',');
  const children = await Promise.all(ports.map((p, i) => natsServer(p, ['-n', `n${i}`, '--cluster_name', 'hb', '-cluster', `nats://127.0.0.1:${routes[i]}`, '--routes', routeList])));
  const urls = ports.map((p) => `nats://127.0.0.1:${p}`);
  const agents = ['a', 'b', 'c'].map((n) => startAgent(`node-${n}`, urls, 'ha'));
  const cli = `${urls[1]},${urls[2]}`;
  await sleep(3_000);
  hxe(agents[0], '--server', cli, '--cluster', 'ha', 'apply', '-f', manifest(2 * COUNT, COUNT));
  const before = await until(() => { const v = fleetGet(agents[0], cli, 'ha'); return v.length === COUNT && v.every((x) => x.status.state === 'running') && v; });
  children[0].kill('SIGKILL');
  await sleep(15_000);
  const after = fleetGet(agents[0], cli, 'ha');
  const pids = new Map(before.map((v) => [v.name, v.status.pid]));
  const restarts = after.filter((v) => v.status.restarts > 0 || v.status.pid !== pids.get(v.name)).length;
  console.log(`one NATS server of three killed: ${restarts} of ${COUNT} instances restarted or moved (15 s later)`);
  for (const home of agents) hxe(home, 'agent', 'stop');
}

try {
  await single();
  await cluster();
} finally {
  for (const home of homes) try { hxe(home, 'agent', 'stop'); } catch { /* stopped */ }
  for (const child of servers) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
