/** Driving supervisord (Debian's `supervisor`) with its own config, socket and pid file. */
import fs from 'node:fs';
import path from 'node:path';
import { run, runOk } from '../lib/exec.mjs';
import { isAlive, killQuietly, readPidFile, sleepsWithPrefix } from '../lib/proc.mjs';
import { now, sleep, waitFor } from '../lib/clock.mjs';
import { supervisordMainConf, supervisordPrograms } from '../manifests/supervisord-conf.mjs';
import { supervisorRpc } from './xmlrpc.mjs';

export function supervisordDriver(root, work) {
  let dir = path.join(root, 'cold');
  const conf = () => path.join(dir, 'supervisord.conf');
  const programs = () => path.join(dir, 'conf.d', 'programs.conf');
  const ctl = (args, options = {}) => runOk('supervisorctl', ['-c', conf(), ...args], options);

  return {
    name: 'supervisord',
    work,
    lastContact: 0,
    prepare() {
      fs.mkdirSync(root, { recursive: true });
    },
    /** A fresh directory: config, socket, pid file, logs; programs not written yet. */
    useHome(name) {
      dir = path.join(root, name);
      fs.mkdirSync(path.join(dir, 'conf.d'), { recursive: true });
      fs.writeFileSync(conf(), supervisordMainConf(dir));
    },
    writePrograms() {
      fs.writeFileSync(programs(), supervisordPrograms(work.services));
    },
    daemonPid() {
      return readPidFile(path.join(dir, 'supervisord.pid'));
    },
    /** Cold: supervisord daemonizes and starts every program (autostart). */
    async coldStart() {
      this.writePrograms();
      return runOk('supervisord', ['-c', conf()]);
    },
    /** Warm: the daemon with no program; returns once it answers. */
    async startDaemon() {
      const result = await runOk('supervisord', ['-c', conf()]);
      await waitFor('supervisord socket', async () => (await run('supervisorctl', ['-c', conf(), 'pid'])).code === 0, { intervalMs: 20 });
      this.writePrograms();
      return result;
    },
    /** `supervisorctl update`: take the newly written programs (and start them). */
    async warmApply() {
      return ctl(['update']);
    },
    async status() {
      // Exit 3 while some program is not running.
      const result = await ctl(['status'], { okCodes: [0, 3] });
      const lines = result.stdout.split('\n').filter((l) => l.trim());
      const ready = lines.filter((l) => /\sRUNNING\s/.test(l)).length;
      return { ms: result.ms, ready, total: lines.length };
    },
    statusCommand: 'supervisorctl status',
    async removeAll() {
      return ctl(['stop', 'all']);
    },
    removeCommand: 'supervisorctl stop all',
    async killSeries(names) {
      const rpc = supervisorRpc(path.join(dir, 's.sock'));
      const samples = [];
      try {
        for (const name of names) {
          const before = await waitFor(`${name} running`, async () => {
            const s = await rpc.processInfo(name);
            return s.state === 'RUNNING' && s.pid && isAlive(s.pid) ? s : null;
          }, { timeoutMs: 10_000 });
          const t0 = now();
          process.kill(before.pid, 'SIGKILL');
          await waitFor(`${name} restarted`, async () => {
            const s = await rpc.processInfo(name);
            return s.pid && s.pid !== before.pid && s.state === 'RUNNING';
          }, { timeoutMs: 10_000, intervalMs: 0 });
          samples.push(now() - t0);
          await sleep(20);
        }
      } finally {
        rpc.close();
      }
      return samples;
    },
    killMethod: 'XML-RPC supervisor.getProcessInfo over its Unix socket, back to back',
    async shutdown() {
      for (const h of fs.existsSync(root) ? fs.readdirSync(root) : []) {
        const d = path.join(root, h);
        const pid = readPidFile(path.join(d, 'supervisord.pid'));
        if (!pid || !isAlive(pid)) continue;
        await run('supervisorctl', ['-c', path.join(d, 'supervisord.conf'), 'shutdown'], { timeoutMs: 30_000 }).catch(() => {});
        await waitFor('supervisord exit', () => !isAlive(pid), { timeoutMs: 10_000, intervalMs: 20 }).catch(() => killQuietly(pid));
      }
      for (const p of sleepsWithPrefix(work.prefix)) killQuietly(p.pid);
      this.lastContact = now();
    },
  };
}
