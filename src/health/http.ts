/**
 * http probe: GET the URL; 2xx and 3xx pass. Redirects are not followed:
 * a 3xx means the server answered, and following it could leave the host.
 */
import type { ProbeResult } from '../core/types.js';
import { reasonOf, startProbe, timeoutMessage } from './probe-result.js';

/** Never throws: a bad URL, a refused connection or a timeout is a failed result. */
export async function probeHttp(url: string, timeoutMs: number): Promise<ProbeResult> {
  const timer = startProbe();
  try {
    const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    // Free the connection: the body is not read.
    await response.body?.cancel().catch(() => undefined);
    const ok = response.status >= 200 && response.status < 400;
    return timer.finish(ok, `HTTP ${response.status}`);
  } catch (err) {
    const timedOut = err instanceof Error && err.name === 'TimeoutError';
    return timer.finish(false, timedOut ? timeoutMessage(timeoutMs) : reasonOf(err));
  }
}
