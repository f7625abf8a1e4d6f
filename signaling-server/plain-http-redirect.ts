/**
 * @module Plain HTTP on the TLS port: someone who types `192.168.1.20:8080` into a phone gets
 * `http://`, which a TLS-only port answers with garbage ("empty response"). Looking at the first
 * byte of each connection tells the two apart (a TLS ClientHello starts with 0x16, an HTTP request
 * with a letter), so one port serves HTTPS and redirects plain HTTP to the same address over https.
 */
import { createServer as createHttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { requestSecurityHeaders } from './security-headers.ts';

/** The first byte of a TLS handshake record. */
const TLS_HANDSHAKE = 0x16;
/** A connection that sends nothing for this long is closed (both protocols speak first). */
const FIRST_BYTE_TIMEOUT_MS = 10_000;
const HOST_HEADER = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * Makes `server` (an https.Server, not yet listening) answer plain HTTP requests on its port with
 * `308` to the same host, port and path over https://.
 */
export function redirectPlainHttp(server: HttpsServer): void {
  const redirector = createHttpServer((req, res) => {
    for (const [name, value] of Object.entries(requestSecurityHeaders(req, false, 'api'))) res.setHeader(name, value);
    const host = req.headers.host ?? '';
    if (!HOST_HEADER.test(host)) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' }).end('this port speaks HTTPS: open it with https://\n');
      return;
    }
    const location = `https://${host}${req.url?.startsWith('/') ? req.url : '/'}`;
    res.writeHead(308, { location, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
    res.end(`this port speaks HTTPS: ${location}\n`);
  });
  redirector.on('upgrade', (_req, socket: Socket) => {
    socket.end('HTTP/1.1 426 Upgrade Required\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  redirector.on('clientError', (_error, socket: Socket) => socket.destroy());

  // The TLS server's own connection listener wraps the socket in TLS; call it only for TLS.
  const tlsListeners = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    socket.setTimeout(FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
    const onError = () => socket.destroy();
    socket.on('error', onError);
    socket.once('readable', function dispatch() {
      const first = socket.read(1) as Buffer | null;
      if (first === null) {
        socket.once('readable', dispatch);
        return;
      }
      socket.unshift(first); // a TLS socket wrapping this one reads what is buffered first
      socket.setTimeout(0);
      socket.off('error', onError);
      if (first[0] === TLS_HANDSHAKE) for (const listener of tlsListeners) listener.call(server, socket);
      else redirector.emit('connection', socket);
    });
  });
  server.once('close', () => redirector.close());
}
