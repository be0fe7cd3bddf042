/** What the figures were measured on. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

export function machineInfo() {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return {
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    model,
    memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: os.release(),
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
    // Every Node process (hxe's CLI and PM2's alike) reads and parses this bundle at its start.
    nodeExtraCaCerts: process.env.NODE_EXTRA_CA_CERTS ?? null,
    nodeStartMs: medianMs(() => spawnSync(process.execPath, ['-e', ''])),
  };
}

/** The floor under every CLI row: a bare `node -e ''`, median of 7. */
function medianMs(run) {
  const times = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[3] * 10) / 10;
}
