/**
 * Fleet tests: agents on separate homes joining one NATS, a CLI that talks
 * to NATS directly, and a TCP proxy whose cut stands for a network partition.
 */
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import path from 'node:path';
import type { InstanceView } from '../../src/core/types.js';
import { createTestHome, type CliResult, type TestHome } from './hxe.js';
import { freePort, isPidAlive, waitFor } from './processes.js';

export interface FleetNode {
  name: string;
  home: TestHome;
  /** The agent's pid (read from its home). */
  agentPid(): Promise<number>;
  /** Starts (or restarts) the agent with its config. */
  start(): Promise<CliResult>;
}

/** Starts an agent named `name` with `labels` that joins `cluster` through `servers`. */
export async function startNode(name: string, labels: Record<string, string>, servers: string[], cluster: string): Promise<FleetNode> {
  const home = await createTestHome();
  const labelText = Object.entries(labels).map(([k, v]) => `${k} = "${v}"`).join(', ');
  const config = await home.write('agent.hcl', `agent {\n  name = "${name}"\n  labels = { ${labelText} }\n  nats {\n    servers = [${servers.map((s) => `"${s}"`).join(', ')}]\n    cluster_name = "${cluster}"\n  }\n}\n`);
  const node: FleetNode = {
    name,
    home,
    agentPid: async () => Number((await fs.readFile(path.join(home.home, 'agent.pid'), 'utf8')).trim()),
    start: () => home.run(['agent', 'start', '--config', config]),
  };
  const started = await node.start();
  if (started.code !== 0) throw new Error(`agent ${name} did not start: ${started.stderr}`);
  return node;
}

/** Runs the CLI against the fleet (`--server nats://... --cluster C`) from `home` (no agent is started there). */
export function fleetCli(home: TestHome, server: string, cluster: string) {
  const run = (args: string[]) => home.run(['--server', server, '--cluster', cluster, ...args]);
  return {
    run,
    async get(names: string[] = []): Promise<InstanceView[]> {
      const result = await run(['get', ...names, '-o', 'json']);
      if (result.code !== 0) throw new Error(`hxe get failed: ${result.stderr}`);
      return JSON.parse(result.stdout) as InstanceView[];
    },
  };
}

/** Kills a node as a host dies: its agent and every process it runs, with SIGKILL. */
export async function killNode(node: FleetNode): Promise<void> {
  const views = await node.home.api.list();
  const pid = await node.agentPid();
  process.kill(pid, 'SIGKILL');
  for (const view of views) if (view.status.pid) try { process.kill(-view.status.pid, 'SIGKILL'); } catch { /* gone */ }
  await waitFor(() => !isPidAlive(pid), { what: `agent of ${node.name} gone` });
}

/** Live `sleep N` processes for each N in `numbers`: counts real processes, whoever started them. */
export function sleepCounts(numbers: number[]): Map<number, number> {
  const counts = new Map(numbers.map((n) => [n, 0]));
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string[];
    try { cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0'); } catch { continue; }
    const n = Number(cmdline[1]);
    if (cmdline[0] === 'sleep' && counts.has(n) && isPidAlive(Number(entry))) counts.set(n, counts.get(n)! + 1);
  }
  return counts;
}

/** A TCP proxy in front of a NATS server: `cut()` drops every connection and refuses new ones (a partition). */
export async function startProxy(targetPort: number): Promise<{ url: string; cut(): void; heal(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let open = true;
  const server = createServer((client) => {
    if (!open) return void client.destroy();
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => { sockets.delete(s); client.destroy(); upstream.destroy(); });
    }
    client.pipe(upstream).pipe(client);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `nats://127.0.0.1:${port}`,
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    heal() { open = true; },
    close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }),
  };
}
