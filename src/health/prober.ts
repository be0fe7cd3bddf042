/**
 * The real Prober: runs one health check of a service instance.
 */
import type { ProbeContext, Prober } from '../core/ports.js';
import type { HealthCheckSpec, ProbeResult } from '../core/types.js';
import { probeExec } from './exec.js';
import { probeHttp } from './http.js';
import { reasonOf, startProbe } from './probe-result.js';
import { probeTcp } from './tcp.js';

/** tcp checks without a host connect here. */
export const DEFAULT_TCP_HOST = '127.0.0.1';

/**
 * Creates the prober. `probe` never throws: a failing check, a missing field
 * or an unexpected error is a result with `ok: false` and a message.
 */
export function createProber(): Prober {
  return {
    async probe(check, context) {
      try {
        return await runCheck(check, context);
      } catch (err) {
        return startProbe().finish(false, reasonOf(err));
      }
    },
  };
}

function runCheck(check: HealthCheckSpec, context: ProbeContext): Promise<ProbeResult> {
  switch (check.type) {
    case 'http':
      if (!check.url) return missing('url');
      return probeHttp(check.url, check.timeout);
    case 'tcp':
      if (check.port === null) return missing('port');
      return probeTcp(check.host ?? DEFAULT_TCP_HOST, check.port, check.timeout);
    case 'exec':
      if (!check.command) return missing('command');
      return probeExec(check.command, check.timeout, context);
    default:
      return missing('type');
  }
}

async function missing(field: string): Promise<ProbeResult> {
  return startProbe().finish(false, `health_check.${field} is missing`);
}
