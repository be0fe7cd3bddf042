// A tiny web service for the demo: GET /health answers 200 once the app is "warm".
import http from 'node:http';

const port = Number(process.env.PORT ?? 18080);
const started = Date.now();
http.createServer((request, response) => {
  if (request.url === '/health') {
    const warm = Date.now() - started > 300;
    response.writeHead(warm ? 200 : 503).end(warm ? 'ok' : 'warming up');
    return;
  }
  response.writeHead(200, { 'content-type': 'text/plain' }).end(`hello from instance ${process.env.HXE_INSTANCE}\n`);
}).listen(port, '127.0.0.1', () => console.log(`web listening on ${port} (instance ${process.env.HXE_INSTANCE})`));
