import type { FastifyInstance } from 'fastify';
import type { Agent } from './agent-operations.js';
import type { AgentMetrics } from '../metrics/agent-metrics.js';
import type { AlertEngine } from '../alerts/types.js';
import type { PrometheusExporter } from '../metrics/prometheus.js';
import type { HxeEvent } from '../core/types.js';
import type { InstanceSample } from '../metrics/sample.js';

const KEEPALIVE_MS = 15_000;

export interface MetricsRouteOptions {
  metrics: AgentMetrics;
  prometheus: PrometheusExporter;
  /** Path of the Prometheus endpoint; '' for none. */
  prometheusPath: string;
  alerts: AlertEngine;
}

/**
 * GET /v1/metrics/samples (latest and recent history per instance), the
 * Prometheus endpoint, and GET /v1/stream: Server-Sent Events of the agent's
 * events and, with `samples=1`, of each metrics tick.
 */
export function registerMetricsRoutes(app: FastifyInstance, agent: Agent, options: MetricsRouteOptions): void {
  app.get('/v1/metrics/samples', async () => options.metrics.snapshot());
  app.get('/v1/metrics/host', async () => ({ latest: options.metrics.host.latest(), history: options.metrics.host.history() }));
  app.get('/v1/alerts', async () => options.alerts.active());
  if (options.prometheusPath) {
    app.get(options.prometheusPath, async (_request, reply) => {
      const { contentType, body } = await options.prometheus.scrape();
      return reply.type(contentType).send(body);
    });
  }
  app.get<{ Querystring: { samples?: string } }>('/v1/stream', (request, reply) => {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const sendEvent = (event: HxeEvent) => raw.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    const sendSamples = (samples: InstanceSample[]) => raw.write(`event: samples\ndata: ${JSON.stringify(samples)}\n\n`);
    const unsubscribers = [agent.events.subscribe(sendEvent)];
    if (request.query.samples === '1') {
      unsubscribers.push(options.metrics.subscribe(sendSamples));
      unsubscribers.push(options.metrics.subscribeHost((sample) => raw.write(`event: host\ndata: ${JSON.stringify(sample)}\n\n`)));
    }
    const keepalive = setInterval(() => raw.write(': keepalive\n\n'), KEEPALIVE_MS);
    keepalive.unref();
    raw.on('close', () => {
      unsubscribers.forEach((unsubscribe) => unsubscribe());
      clearInterval(keepalive);
    });
  });
}
