// A stand-in for a cache server: accepts TCP connections on PORT.
import net from 'node:net';

const port = Number(process.env.PORT ?? 18079);
net.createServer((socket) => {
  socket.on('error', () => {}); // health probes connect and hang up at once
  socket.end('PONG\r\n');
}).listen(port, '127.0.0.1', () => console.log(`cache listening on ${port}`));
