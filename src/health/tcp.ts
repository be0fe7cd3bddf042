/**
 * tcp probe: passes when a connection to host:port is accepted in time.
 */
import { connect } from 'node:net';
import type { ProbeResult } from '../core/types.js';
import { reasonOf, startProbe, timeoutMessage } from './probe-result.js';

/** Never throws; the socket is always destroyed. */
export function probeTcp(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  const timer = startProbe();
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (ok: boolean, message: string) => {
      clearTimeout(deadline);
      socket.destroy();
      resolve(timer.finish(ok, message));
    };
    const deadline = setTimeout(() => finish(false, timeoutMessage(timeoutMs)), timeoutMs);
    socket.once('connect', () => finish(true, `connected to ${host}:${port}`));
    socket.once('error', (err) => finish(false, reasonOf(err)));
  });
}
