/** Just enough of supervisord's XML-RPC (over its Unix socket) to read one process's pid and state. */
import { Buffer } from 'node:buffer';
import { unixClient } from '../lib/unix-http.mjs';

export function supervisorRpc(socketPath) {
  const http = unixClient(socketPath);
  return {
    async processInfo(name) {
      const body = `<?xml version="1.0"?><methodCall><methodName>supervisor.getProcessInfo</methodName>`
        + `<params><param><value><string>${name}</string></value></param></params></methodCall>`;
      const res = await http.request('POST', '/RPC2', { body, headers: { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(body) } });
      if (res.status !== 200) throw new Error(`supervisor.getProcessInfo: HTTP ${res.status}`);
      return { pid: Number(member(res.text, 'pid')), state: member(res.text, 'statename') };
    },
    close: () => http.close(),
  };
}

function member(xml, name) {
  const m = new RegExp(`<name>${name}</name>\\s*<value>\\s*(?:<\\w+>)?([^<]*)`).exec(xml);
  return m ? m[1] : null;
}
