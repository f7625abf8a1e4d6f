/**
 * @module Connection caps of an HTTP server, so one client cannot hold every slot: a global cap
 * (`server.maxConnections`: sockets beyond it are dropped at once) and a cap per address group
 * (client-address.ts: IPv4 address, IPv6 /64), counted on the TCP socket from accept to close,
 * WebSockets included, before a byte of the request is read. With short header and request
 * timeouts, a client that opens sockets and sends half a request holds at most its own share, and
 * only for the header timeout.
 *
 * Behind a reverse proxy every socket comes from the proxy: the per-address cap would then be a
 * cap on everyone together, so it is off when the proxy is trusted (the proxy limits per client).
 * Clients are then told apart once a request's headers are read, the first moment the address
 * the proxy forwarded is known: signaling counts its sockets per forwarded address at the
 * upgrade, and {@link limitRequestsPerAddress} the requests in progress.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { addressGroup, clientAddress } from './client-address.ts';

export interface ConnectionLimits {
  /** Open sockets at most over all clients. */
  readonly maxConnections: number;
  /** Open sockets at most per address group; null for no per-address cap (behind a trusted proxy). */
  readonly maxConnectionsPerAddress: number | null;
}

export interface ServerTimeouts {
  /** Receiving a whole request (headers and body) may take this long (`server.requestTimeout`). */
  readonly requestMs: number;
  /** Receiving the headers may take this long (`server.headersTimeout`). */
  readonly headersMs: number;
  /** An idle kept-alive connection is closed after this long (`server.keepAliveTimeout`). */
  readonly keepAliveMs: number;
}

/** Node's defaults hold a slow client's headers for a minute or more; these are what a page needs. */
export const APP_SERVER_TIMEOUTS: ServerTimeouts = { requestMs: 30_000, headersMs: 10_000, keepAliveMs: 5_000 };
/** The app server's caps: many tabs, each with a few HTTP sockets and one WebSocket. */
export const APP_SERVER_LIMITS: ConnectionLimits = { maxConnections: 4096, maxConnectionsPerAddress: 256 };

/** Sets the timeouts on `server`. */
export function applyTimeouts(server: Server, timeouts: ServerTimeouts): void {
  server.requestTimeout = timeouts.requestMs;
  server.headersTimeout = timeouts.headersMs;
  server.keepAliveTimeout = timeouts.keepAliveMs;
}

/**
 * Caps `server`'s sockets (see the module comment). Call it after any code that replaces the
 * server's `connection` listeners (redirectPlainHttp): this one is added next to them.
 * Returns the open socket count of an address group (for tests and logs).
 */
export function limitConnections(server: Server, limits: ConnectionLimits, onRefuse?: (group: string) => void): (group: string) => number {
  server.maxConnections = limits.maxConnections;
  const open = new Map<string, number>();
  const perAddress = limits.maxConnectionsPerAddress;
  if (perAddress !== null) {
    server.on('connection', (socket: Socket) => {
      const group = addressGroup(socket.remoteAddress ?? 'unknown');
      const count = open.get(group) ?? 0;
      if (count >= perAddress) {
        onRefuse?.(group);
        socket.destroy();
        return;
      }
      open.set(group, count + 1);
      socket.once('close', () => {
        const n = (open.get(group) ?? 1) - 1;
        if (n > 0) open.set(group, n);
        else open.delete(group);
      });
    });
  }
  return (group) => open.get(group) ?? 0;
}

/** Whether a request may be served; when it may, it is counted until its response is done. */
export type RequestAdmission = (req: IncomingMessage, res: ServerResponse) => { readonly admitted: boolean; readonly group: string };

/**
 * Caps the requests in progress per address group (client-address.ts), counted from when a
 * request's headers have been read until its response is finished or its connection closed.
 * Meant for behind a trusted proxy (`trustProxy`), where the socket cap per address cannot tell
 * clients apart: a client whose requests hang (a body sent slowly, an answer read slowly) holds at
 * most `maxPerAddress` of the sockets the proxy opens, not all of them. A refused request is not
 * counted; the caller answers it (429).
 */
export function limitRequestsPerAddress(maxPerAddress: number, trustProxy: boolean): RequestAdmission {
  const open = new Map<string, number>();
  return (req, res) => {
    const group = addressGroup(clientAddress(req, trustProxy));
    const count = open.get(group) ?? 0;
    if (count >= maxPerAddress) return { admitted: false, group };
    open.set(group, count + 1);
    // 'close' comes once the response is sent or the connection is gone, whichever is first.
    res.once('close', () => {
      const n = (open.get(group) ?? 1) - 1;
      if (n > 0) open.set(group, n);
      else open.delete(group);
    });
    return { admitted: true, group };
  };
}
