/**
 * Host metrics through a real agent: the samples API, Prometheus series
 * named as node_exporter's (and valid for promtool), `hxe top`'s header,
 * and a host_disk alert delivered by the alert engine's webhook.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestHome, type TestHome } from '../helpers/hxe.js';
import { waitFor } from '../helpers/processes.js';

let t: TestHome;
const closers: (() => void)[] = [];
beforeEach(async () => { t = await createTestHome(); });
afterEach(async () => {
  await t.cleanup();
  closers.splice(0).forEach((close) => close());
});

function hasPromtool(): boolean {
  return spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function webhookReceiver(): Promise<{ port: number; bodies: { alerts: { type: string; instance: string; summary: string }[] }[] }> {
  const bodies: { alerts: { type: string; instance: string; summary: string }[] }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => { bodies.push(JSON.parse(body)); res.writeHead(200).end(); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => server.close());
  return { port: (server.address() as { port: number }).port, bodies };
}

describe('host metrics', () => {
  it('are sampled with the services, served to Prometheus and top, and alert through the engine', async () => {
    const hook = await webhookReceiver();
    const config = await t.write('conf/agent.hcl', `agent {
  metrics {
    interval = "300ms"
  }
  alerts {
    group_wait = "0s"
    webhook {
      url = "http://127.0.0.1:${hook.port}/hook"
    }
    rule "disk-full" {
      type  = "host_disk"
      above = 1
      for   = "0s"
    }
  }
}
`);
    const started = await t.run(['agent', 'start', '--config', config]);
    expect(started.code, started.stderr).toBe(0);

    const host = await waitFor(async () => {
      const { latest } = await t.api.request<{ latest: { cpuPercent: number | null; filesystems: { mountpoint: string }[] } | null }>('GET', '/v1/metrics/host');
      return latest?.cpuPercent !== null && latest !== null ? latest : undefined;
    }, { what: 'a second host sample (CPU % needs two)' });
    expect(host.filesystems.map((f) => f.mountpoint)).toContain('/');

    const scraped = await new Promise<string>((resolve, reject) => {
      http.get({ socketPath: `${t.home}/agent.sock`, path: '/metrics' }, (res) => {
        let body = '';
        res.on('data', (chunk) => { body += chunk; });
        res.on('end', () => resolve(body));
      }).on('error', reject);
    });
    for (const series of [
      /^hxe_host_cpu_seconds_total\{mode="idle"\} \d/m, /^hxe_host_memory_mem_available_bytes \d+/m, /^hxe_host_memory_mem_total_bytes \d+/m,
      /^hxe_host_load1 [\d.]+/m, /^hxe_host_filesystem_avail_bytes\{device="[^"]+",fstype="[^"]+",mountpoint="\/"\} \d+/m,
      /^hxe_host_filesystem_size_bytes\{.*mountpoint="\/"\} \d+/m, /^hxe_host_network_receive_bytes_total\{device="lo"\} \d+/m,
      /^# TYPE hxe_host_network_transmit_bytes_total counter$/m,
    ]) expect(scraped).toMatch(series);
    if (hasPromtool()) execFileSync('promtool', ['check', 'metrics'], { input: scraped });

    const top = await t.run(['top', '--once']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/^host: CPU [\d.]+% of \d+, memory .* of .* \([\d.]+%\), load [\d.]+ [\d.]+ [\d.]+$/m);
    expect(top.stdout).toMatch(/^disk \/ [\d.]+% of /m);

    await waitFor(() => hook.bodies.length > 0, { what: 'the host_disk alert by webhook' });
    const alert = hook.bodies[0].alerts.find((a) => a.instance === 'host:/');
    expect(alert).toMatchObject({ type: 'host_disk' });
    expect(alert?.summary).toMatch(/^disk \/ [\d.]+% above 1%$/);
  }, 60_000);
});
