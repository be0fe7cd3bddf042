/** Small HTTP client over a Unix socket, with a keep-alive connection. */
import http from 'node:http';

export function unixClient(socketPath) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  function request(method, path, { body, headers = {}, timeoutMs = 10_000 } = {}) {
    return new Promise((resolve, reject) => {
      const req = http.request({ socketPath, method, path, agent, headers, timeout: timeoutMs }, (res) => {
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (d) => { text += d; });
        res.on('end', () => resolve({ status: res.statusCode, text }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
  return {
    request,
    async getJson(path) {
      const res = await request('GET', path);
      if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status}: ${res.text.slice(0, 200)}`);
      return JSON.parse(res.text);
    },
    close() {
      agent.destroy();
    },
  };
}
