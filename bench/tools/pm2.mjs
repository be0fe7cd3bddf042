/** Driving PM2 7 with its own PM2_HOME (any pm2 command starts a daemon there). */
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_DIR, PM2_BIN } from '../lib/config.mjs';
import { run, runOk } from '../lib/exec.mjs';
import { isAlive, killQuietly, readPidFile, sleepsWithPrefix } from '../lib/proc.mjs';
import { now, waitFor } from '../lib/clock.mjs';
import { pm2Ecosystem } from '../manifests/pm2-ecosystem.mjs';

export function pm2Driver(dir, work) {
  const ecosystem = path.join(dir, 'ecosystem.config.js');
  let home = path.join(dir, 'home');
  const env = () => ({ ...process.env, PM2_HOME: home, NO_COLOR: '1' });
  const cliOk = (args, options = {}) => runOk(PM2_BIN, args, { env: env(), cwd: dir, ...options });

  return {
    name: 'pm2',
    work,
    lastContact: 0,
    prepare() {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(ecosystem, pm2Ecosystem(work.services));
    },
    useHome(name) {
      home = path.join(dir, name);
    },
    daemonPid() {
      return readPidFile(path.join(home, 'pm2.pid'));
    },
    /** Cold: `pm2 start` spawns the God daemon, then the apps. */
    async coldStart() {
      return cliOk(['start', ecosystem]);
    },
    /** Warm: any pm2 command starts the daemon; ping is the lightest. */
    async startDaemon() {
      return cliOk(['ping']);
    },
    async warmApply() {
      return cliOk(['start', ecosystem]);
    },
    async status() {
      const result = await cliOk(['jlist']);
      const text = result.stdout;
      const list = JSON.parse(text.slice(text.indexOf('[')));
      const ready = list.filter((p) => p.pm2_env?.status === 'online' && p.pid).length;
      return { ms: result.ms, ready, total: list.length };
    },
    statusCommand: 'pm2 jlist',
    async removeAll() {
      return cliOk(['delete', 'all']);
    },
    removeCommand: 'pm2 delete all',
    async killSeries(names) {
      const result = await runOk(process.execPath, [path.join(BENCH_DIR, 'tools', 'pm2-kill-probe.mjs'), ...names], {
        env: env(), timeoutMs: 15_000 * names.length,
      });
      return JSON.parse(result.stdout);
    },
    killMethod: "pm2's programmatic API (connect, then list back to back)",
    async shutdown() {
      for (const h of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
        const pid = readPidFile(path.join(dir, h, 'pm2.pid'));
        if (!pid || !isAlive(pid)) continue;
        await run(PM2_BIN, ['kill'], { env: { ...process.env, PM2_HOME: path.join(dir, h) }, timeoutMs: 30_000 }).catch(() => {});
        await waitFor('pm2 daemon exit', () => !isAlive(pid), { timeoutMs: 5_000, intervalMs: 20 }).catch(() => killQuietly(pid));
      }
      for (const p of sleepsWithPrefix(work.prefix)) killQuietly(p.pid);
      this.lastContact = now();
    },
  };
}
