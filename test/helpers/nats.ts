/**
 * Real nats-server processes for fleet tests: one JetStream server per test
 * file, or a three-server cluster. Debian's `nats-server` is installed with
 * apt-get when missing and this runs as root; otherwise `natsSkipReason`
 * says why the tests are skipped.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './processes.js';

/** Finds nats-server, installing it when missing and root. Null when it is there; else why not. */
function findServer(): string | null {
  const has = () => spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' }).status === 0;
  if (has()) return null;
  if (process.getuid?.() !== 0) return 'nats-server is not installed and this is not root (apt-get install nats-server)';
  spawnSync('sh', ['-c', 'apt-get update -qq && apt-get install -y -qq nats-server'], { stdio: 'ignore', timeout: 300_000 });
  return has() ? null : 'nats-server could not be installed with apt-get';
}

/** Null when nats-server can run here; else the reason fleet tests are skipped. */
export const natsSkipReason: string | null = findServer();

export interface NatsServer {
  url: string;
  port: number;
  /** SIGKILLs the server (as a host dies), keeping its storage. */
  kill(): Promise<void>;
  /** Starts it again on the same port and storage. */
  restart(): Promise<void>;
  /** Stops it and removes its storage. */
  stop(): Promise<void>;
}

interface ServerOptions {
  port: number;
  dir: string;
  extra: string[];
}

function launch(options: ServerOptions): ChildProcess {
  const child = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(options.port), '-sd', options.dir, ...options.extra], {
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  child.on('error', () => undefined);
  return child;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function managed(options: ServerOptions): NatsServer & { start(): Promise<void> } {
  let child: ChildProcess | null = null;
  const halt = async (signal: NodeJS.Signals) => {
    if (!child) return;
    const current = child;
    child = null;
    current.kill(signal);
    await exited(current);
  };
  const start = async () => {
    child = launch(options);
    await waitFor(() => canConnect(options.port), { timeoutMs: 15_000, what: `nats-server on port ${options.port}` });
  };
  return {
    url: `nats://127.0.0.1:${options.port}`,
    port: options.port,
    start,
    kill: () => halt('SIGKILL'),
    restart: start,
    async stop() {
      await halt('SIGTERM');
      rmSync(options.dir, { recursive: true, force: true });
    },
  };
}

/** One JetStream server on a free port with its own storage directory. */
export async function startNats(): Promise<NatsServer> {
  const server = managed({ port: await freePort(), dir: mkdtempSync(join(tmpdir(), 'hxe-nats-')), extra: [] });
  await server.start();
  return server;
}

export interface NatsCluster {
  servers: NatsServer[];
  /** Every client URL, for `nats { servers = [...] }`. */
  urls: string[];
  stop(): Promise<void>;
}

/** Three JetStream servers routed into one cluster (`-cluster`, `--routes`, `-n`, `--cluster_name`). */
export async function startNatsCluster(name = 'hxe-test'): Promise<NatsCluster> {
  const ports = await Promise.all([0, 1, 2].map(() => freePort()));
  const routePorts = await Promise.all([0, 1, 2].map(() => freePort()));
  const routes = routePorts.map((p) => `nats://127.0.0.1:${p}`).join(',');
  const servers = ports.map((port, i) => managed({
    port,
    dir: mkdtempSync(join(tmpdir(), 'hxe-nats-')),
    extra: ['-n', `n${i}`, '--cluster_name', name, '-cluster', `nats://127.0.0.1:${routePorts[i]}`, '--routes', routes],
  }));
  await Promise.all(servers.map((s) => s.start()));
  return {
    servers,
    urls: servers.map((s) => s.url),
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}
