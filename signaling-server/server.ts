/**
 * @module The whole server on one port: the built app (when there is one), `/health`, and the
 * signaling endpoint on `/signal`, over plain HTTP or, given a certificate, over TLS (https://,
 * wss://; plain http:// requests to that port are redirected to https://). Used by the CLI (main.ts) and by `npm start`.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { SIGNALING_PATH } from '../src/core/net/signaling-messages.ts';
import { redirectPlainHttp } from './plain-http-redirect.ts';
import { attachSignaling, type Signaling, type SignalingOptions } from './signaling.ts';
import { createAppHandler, listen } from './static-files.ts';
import { APP_SERVER_LIMITS, APP_SERVER_TIMEOUTS, applyTimeouts, limitConnections, type ConnectionLimits, type ServerTimeouts } from './connection-limits.ts';

export interface ServerOptions {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** Address to listen on. Default `0.0.0.0` (every interface). */
  host?: string;
  /** Folder with the built app to serve, or null/undefined for signaling (and /health) only. */
  dist?: string | null;
  signaling?: SignalingOptions;
  /** Serve over TLS with this certificate and key (PEM): https:// and wss://. Default: plain HTTP. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /**
   * Behind a reverse proxy: count clients by the address it appends to X-Forwarded-For (signaling's
   * per-address caps), and leave the per-address socket cap to the proxy. Default false.
   */
  trustProxy?: boolean;
  /** Overrides of {@link APP_SERVER_LIMITS} (global and per-address socket caps). */
  limits?: Partial<ConnectionLimits>;
  /** Overrides of {@link APP_SERVER_TIMEOUTS} (slow headers, slow requests, idle keep-alive). */
  timeouts?: Partial<ServerTimeouts>;
}

export interface RunningServer {
  server: Server;
  signaling: Signaling;
  /** The port listened on (the one picked when asked for 0). */
  port: number;
  /** `http://localhost:PORT/` (or the bound address when it is not a wildcard); `https://` with TLS. */
  appUrl: string;
  /** `ws://localhost:PORT/signal`; `wss://` with TLS. */
  signalUrl: string;
  /** Whether it serves over TLS. */
  tls: boolean;
  /** Closes every signaling socket (1001) and the HTTP server; resolves once the port is free. */
  close(): Promise<void>;
}

/** How often the header and request timeouts are checked (Node's default, 30 s, would let them run that much late). */
const CHECK_INTERVAL_MS = 1000;

/** Starts the HTTP server with signaling; resolves once it listens. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '0.0.0.0';
  const path = options.signaling?.path ?? SIGNALING_PATH;
  let signaling: Signaling | null = null;
  const handler = createAppHandler({
    dist: options.dist ?? null,
    signalPath: path,
    tls: Boolean(options.tls),
    trustProxy: options.trustProxy ?? false,
    health: () => {
      const stats = signaling?.stats() ?? { rooms: 0, peers: 0 };
      return { ok: true, rooms: stats.rooms, peers: stats.peers };
    },
  });
  // An https.Server is an http.Server with TLS underneath: the same handler and upgrade listener.
  let server: Server;
  if (options.tls) {
    const tlsServer = createTlsServer({ cert: options.tls.cert, key: options.tls.key, connectionsCheckingInterval: CHECK_INTERVAL_MS }, handler);
    // Someone typing the address without https:// gets a redirect, not an empty response.
    redirectPlainHttp(tlsServer);
    server = tlsServer;
  } else {
    server = createServer({ connectionsCheckingInterval: CHECK_INTERVAL_MS }, handler);
  }
  // Slow or idle clients are cut off, and no one client holds every socket (connection-limits.ts).
  applyTimeouts(server, { ...APP_SERVER_TIMEOUTS, ...options.timeouts });
  const trustProxy = options.trustProxy ?? false;
  limitConnections(server, { ...APP_SERVER_LIMITS, ...(trustProxy ? { maxConnectionsPerAddress: null } : {}), ...options.limits });
  signaling = attachSignaling(server, { trustProxy, ...options.signaling });
  try {
    await listen(server, options.port, host);
  } catch (error) {
    await signaling.close();
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  const running = signaling;
  return {
    server,
    signaling: running,
    port,
    appUrl: `${options.tls ? 'https' : 'http'}://${shownHost}:${port}/`,
    signalUrl: `${options.tls ? 'wss' : 'ws'}://${shownHost}:${port}${path}`,
    tls: Boolean(options.tls),
    async close() {
      await running.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
