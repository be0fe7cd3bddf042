/** Driving hxe: its CLI for what a user runs, its HTTP API (Unix socket) for fast polling. */
import fs from 'node:fs';
import path from 'node:path';
import { HXE_BIN } from '../lib/config.mjs';
import { run, runOk } from '../lib/exec.mjs';
import { childrenMatching, isAlive, killQuietly, readPidFile, sleepsWithPrefix } from '../lib/proc.mjs';
import { now, sleep, waitFor } from '../lib/clock.mjs';
import { unixClient } from '../lib/unix-http.mjs';
import { hclManifest } from '../manifests/hcl.mjs';

export function hxeDriver(dir, work) {
  const manifest = path.join(dir, 'services.hcl');
  let home = path.join(dir, 'home');
  const env = () => ({ ...process.env, HXE_HOME: home, NO_COLOR: '1' });
  const cliOk = (args, options = {}) => runOk(HXE_BIN, args, { env: env(), ...options });

  return {
    name: 'hxe',
    work,
    manifest,
    get home() { return home; },
    /** When a CLI last talked to the agent (row 6b waits from there). */
    lastContact: 0,

    prepare() {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(manifest, hclManifest(work.services));
    },
    /** Use a fresh home (nothing stored, no agent). */
    useHome(name) {
      home = path.join(dir, name);
    },
    daemonPid() {
      return readPidFile(path.join(home, 'agent.pid'));
    },
    /** The agent and its own helper processes (spawn helper, manifest parser): all of hxe's memory and CPU. */
    managerPids() {
      const agent = this.daemonPid();
      return agent ? [agent, ...childrenMatching(agent, /spawn-helper\.js|parse-worker\.js/)] : [];
    },
    /** Cold: the apply starts the agent in the background. */
    async coldStart() {
      return this.touch(await cliOk(['apply', '-f', manifest]));
    },
    async startDaemon() {
      return this.touch(await cliOk(['agent', 'start']));
    },
    async warmApply() {
      return this.touch(await cliOk(['apply', '-f', manifest]));
    },
    /** `hxe get -o json`: {ms, ready: instances running with a pid}. */
    async status() {
      const result = this.touch(await cliOk(['get', '-o', 'json']));
      const list = JSON.parse(result.stdout);
      const ready = list.filter((i) => i.status?.state === 'running' && i.status.pid).length;
      return { ms: result.ms, ready, total: list.length };
    },
    statusCommand: 'hxe get -o json',
    /** `hxe diff` of the applied manifest: expects exit 0 (no differences). */
    async diff() {
      const result = this.touch(await cliOk(['diff', '-f', manifest]));
      return result.ms;
    },
    /** `hxe apply` of the applied manifest again (row 6c): nothing to change. */
    async noopApply() {
      const result = this.touch(await cliOk(['apply', '-f', manifest]));
      if (!/no changes/i.test(result.stdout)) throw new Error(`apply of an unchanged set changed something: ${result.stdout.slice(0, 200)}`);
      return result.ms;
    },
    /** `hxe run NAME -- sleep ARG` (row 10). */
    async runOne(name, arg) {
      return this.touch(await cliOk(['run', name, '--', 'sleep', arg]));
    },
    /** Any other command line, which must exit 0. */
    async cli(args) {
      return this.touch(await cliOk(args));
    },
    async removeAll() {
      return this.touch(await cliOk(['delete', '--all']));
    },
    removeCommand: 'hxe delete --all',
    /** Row 4 by the agent's API: kill -9 a service, poll GET /v1/services?name= until a new pid runs. */
    async killSeries(names) {
      const api = unixClient(path.join(home, 'agent.sock'));
      const statusOf = async (name) => (await api.getJson(`/v1/services?name=${encodeURIComponent(name)}`))[0]?.status;
      const samples = [];
      try {
        for (const name of names) {
          const before = await waitFor(`${name} running`, async () => {
            const s = await statusOf(name);
            return s?.state === 'running' && s.pid && isAlive(s.pid) ? s : null;
          }, { timeoutMs: 10_000 });
          const t0 = now();
          process.kill(before.pid, 'SIGKILL');
          await waitFor(`${name} restarted`, async () => {
            const s = await statusOf(name);
            return s?.pid && s.pid !== before.pid && s.state === 'running';
          }, { timeoutMs: 10_000, intervalMs: 0 });
          samples.push(now() - t0);
          await sleep(20);
        }
      } finally {
        api.close();
        this.lastContact = now();
      }
      return samples;
    },
    killMethod: 'agent API GET /v1/services?name=NAME over the Unix socket, back to back',
    /** `hxe agent stop` (the agent stops its services first). */
    async stopAgent(timeoutMs) {
      return this.touch(await cliOk(['agent', 'stop'], { timeoutMs }));
    },
    /** Stops the agent and its services; then kills whatever is left. Idempotent. */
    async shutdown() {
      for (const h of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
        const pidFile = path.join(dir, h, 'agent.pid');
        if (!fs.existsSync(pidFile)) continue;
        const pid = readPidFile(pidFile);
        if (!pid || !isAlive(pid)) continue;
        await run(HXE_BIN, ['agent', 'stop'], { env: { ...process.env, HXE_HOME: path.join(dir, h) }, timeoutMs: 30_000 }).catch(() => {});
        await waitFor('hxe agent exit', () => !isAlive(pid), { timeoutMs: 5_000, intervalMs: 20 }).catch(() => killQuietly(pid));
      }
      for (const p of sleepsWithPrefix(work.prefix)) killQuietly(p.pid);
    },
    touch(result) {
      this.lastContact = now();
      return result;
    },
  };
}
