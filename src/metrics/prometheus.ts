import http from 'node:http';
import type { Registry } from 'prom-client';
import { LIVE_STATES, type InstanceView } from '../core/types.js';
import type { AgentMetrics } from './agent-metrics.js';
import { registerHostMetrics } from './prometheus-host.js';


/**
 * The Prometheus exposition of the agent: per-instance series with the
 * conventional names, and the agent's own process metrics. prom-client is
 * loaded at the first scrape, so an agent nobody scrapes does not carry it.
 */
export class PrometheusExporter {
  private registry: Promise<Registry> | null = null;

  constructor(private readonly views: () => InstanceView[], private readonly metrics: AgentMetrics) {}

  async scrape(): Promise<{ contentType: string; body: string }> {
    this.registry ??= this.createRegistry();
    const registry = await this.registry;
    return { contentType: registry.contentType, body: await registry.metrics() };
  }

  private async createRegistry(): Promise<Registry> {
    const loaded = await import('prom-client');
    // CommonJS through a bundle: the module object may sit on `default`.
    const client = (loaded.default ?? loaded) as typeof loaded.default;
    const registry = new client.Registry();
    client.collectDefaultMetrics({ register: registry, prefix: 'hxe_agent_' });
    // Gauges named like counters (`_total`): promtool refuses them, and handles/requests/resources say little of a supervisor.
    for (const name of ['active_handles', 'active_requests', 'active_resources']) {
      registry.removeSingleMetric(`hxe_agent_nodejs_${name}`);
      registry.removeSingleMetric(`hxe_agent_nodejs_${name}_total`);
    }
    const labelNames = ['service', 'instance'] as const;
    const series = (view: InstanceView) => ({ service: view.metadata.service, instance: view.name });
    const each = (fill: (view: InstanceView, labels: { service: string; instance: string }) => void) => {
      for (const view of this.views()) fill(view, series(view));
    };
    // Counters are set to the agent's running totals at each scrape (reset, then inc by the total).
    new client.Counter({
      name: 'hxe_service_cpu_seconds_total', help: 'CPU time (user + system) of the instance\'s process group.', labelNames, registers: [registry],
      collect() { this.reset(); each((view, labels) => { const s = metricsOf(view); if (s) this.inc(labels, s.cpuSeconds); }); },
    });
    new client.Counter({
      name: 'hxe_service_restarts_total', help: 'Automatic restarts of the instance.', labelNames, registers: [registry],
      collect() { this.reset(); each((view, labels) => this.inc(labels, view.status.restarts)); },
    });
    new client.Gauge({
      name: 'hxe_service_memory_bytes', help: 'Resident memory of the instance\'s whole process group.', labelNames, registers: [registry],
      collect() { this.reset(); each((view, labels) => { const s = metricsOf(view); if (s) this.set(labels, s.memoryBytes); }); },
    });
    new client.Gauge({
      name: 'hxe_service_up', help: '1 when the instance has a live process.', labelNames, registers: [registry],
      collect() { this.reset(); each((view, labels) => this.set(labels, view.status.pid && LIVE_STATES.has(view.status.state) ? 1 : 0)); },
    });
    new client.Gauge({
      name: 'hxe_service_ready', help: '1 when the instance is ready (running without a health check, or healthy).', labelNames, registers: [registry],
      collect() { this.reset(); each((view, labels) => this.set(labels, view.status.ready ? 1 : 0)); },
    });
    new client.Gauge({
      name: 'hxe_service_state', help: 'The instance\'s lifecycle state (1 for the current one).', labelNames: [...labelNames, 'state'], registers: [registry],
      collect() { this.reset(); each((view, labels) => this.set({ ...labels, state: view.status.state }, 1)); },
    });
    new client.Gauge({
      name: 'hxe_service_start_time_seconds', help: 'When the instance\'s process started (Unix time; uptime = now - this).', labelNames, registers: [registry],
      collect() { this.reset(); each((view, labels) => { if (view.status.startedAt) this.set(labels, Date.parse(view.status.startedAt) / 1000); }); },
    });
    new client.Gauge({
      name: 'hxe_service_last_exit_code', help: 'Exit code of the instance\'s last process (absent when it has not exited).', labelNames, registers: [registry],
      collect() { this.reset(); each((view, labels) => { if (view.status.exitCode !== null) this.set(labels, view.status.exitCode); }); },
    });
    new client.Gauge({
      name: 'hxe_service_probe_latency_seconds', help: 'Duration of the last health probe.', labelNames, registers: [registry],
      collect() { this.reset(); each((view, labels) => { if (view.status.lastProbe) this.set(labels, view.status.lastProbe.latencyMs / 1000); }); },
    });
    const metrics = this.metrics;
    registerHostMetrics(client, registry, () => metrics.host.latest());
    function metricsOf(view: InstanceView) {
      return metrics.latest(view.name);
    }
    return registry;
  }
}

/**
 * `prometheus_endpoint = ":9090"`: a small HTTP server of its own that
 * serves GET /metrics and nothing else, without authentication (as
 * Prometheus scrapes; keep it on a trusted network or 127.0.0.1).
 * Resolves once listening; rejects when the address is taken.
 */
export async function listenPrometheus(exporter: PrometheusExporter, address: { host: string; port: number }): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(path === '/metrics' ? 405 : 404, { 'content-type': 'text/plain' }).end(path === '/metrics' ? 'method not allowed\n' : 'not found: try /metrics\n');
      return;
    }
    exporter.scrape().then(
      ({ contentType, body }) => response.writeHead(200, { 'content-type': contentType }).end(request.method === 'HEAD' ? undefined : body),
      (err: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
