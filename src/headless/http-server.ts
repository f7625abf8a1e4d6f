/**
 * @module The headless node's one HTTP server: the REST API and this node's own signaling
 * endpoint (`/signal`, the same one `node signaling-server` serves) on one port, so other nodes
 * register it as `http://host:port` and find it at `ws://host:port/signal`. Until the node has
 * started, REST requests get 503.
 *
 * Every plain HTTP request is first checked for where it comes from (request-source.ts, as the
 * first middleware of the front Hono app below):
 * a web page must not drive the node through the user's browser, neither by a rebound DNS name
 * (421 `bad-host`) nor by a cross-site request (403 `cross-site`). The WebSocket upgrade on
 * `/signal` has its own origin policy (attachSignaling). Slow or malformed clients are cut off
 * with a JSON 400/408/431 (timeouts and a connection cap below).
 *
 * Behind a reverse proxy the operator trusts (`trustProxy`, `--trust-proxy`), every socket comes
 * from the proxy, so clients are told apart as `npm start` tells them apart: by the last
 * `X-Forwarded-For` entry, once a request's headers are read (the socket cap per address is left
 * to the proxy; requests in progress and `/signal` sockets are capped per forwarded address), and
 * `X-Forwarded-Proto: https` counts as TLS for HSTS.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { attachSignaling, type Signaling } from '../../signaling-server/signaling.ts';
import type { Logger } from '../../signaling-server/log.ts';
import type { IceServersOption } from '../../signaling-server/ice-servers.ts';
import { API_SECURITY_HEADER_LINES, requestSecurityHeaders } from '../../signaling-server/security-headers.ts';
import { limitConnections, limitRequestsPerAddress } from '../../signaling-server/connection-limits.ts';
import { listen } from '../../signaling-server/static-files.ts';
import { SIGNALING_PATH } from '../core/net/signaling-messages.ts';
import { getRequestListener, type HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import { checkRequestSource, requestSourceGuard, urlHost, type RequestSourcePolicy } from './request-source.ts';
import { jsonReply } from './rest/app.ts';

export { checkRequestSource, urlHost, type RequestSourcePolicy, type SourceRefusal } from './request-source.ts';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface NodeHttpServerOptions {
  /** Port to listen on; 0 picks a free one. */
  readonly port: number;
  /** Address to listen on (default 127.0.0.1: this machine only). */
  readonly host?: string;
  /** Page origins allowed on `/signal` besides the server's own (browser tabs served elsewhere). */
  readonly origins?: string[];
  /** Signaling log lines (default none). */
  readonly logger?: Logger | null;
  /** STUN and TURN servers /signal hands out to each client that joins. */
  readonly iceServers?: IceServersOption;
  /** Called once per answered request (default none). */
  readonly onRequest?: (entry: { method: string; path: string; status: number; ms: number }) => void;
  /**
   * The REST writes need a bearer token (--token). When listening on every interface
   * (0.0.0.0 or ::), requests for any Host name are then answered; without one, loopback names only.
   */
  readonly tokenRequired?: boolean;
  /** Overrides {@link MAX_CONNECTIONS_PER_ADDRESS}. */
  readonly maxConnectionsPerAddress?: number;
  /**
   * Behind a reverse proxy the operator trusts (`--trust-proxy`): clients are the last
   * `X-Forwarded-For` entry, `X-Forwarded-Proto: https` is TLS, and the Host check answers the
   * names the proxy forwards when a token is required (request-source.ts). Default false: those
   * headers are ignored, since anyone can send them.
   */
  readonly trustProxy?: boolean;
  /** Overrides of {@link DEFAULT_TIMEOUTS} (tests use short ones). */
  readonly timeouts?: Partial<ServerTimeouts>;
}

export interface ServerTimeouts {
  /** Receiving a whole request (headers and body) may take this long (`server.requestTimeout`). */
  readonly requestMs: number;
  /** Receiving the headers may take this long (`server.headersTimeout`). */
  readonly headersMs: number;
  /** An idle kept-alive connection is closed after this long (`server.keepAliveTimeout`). */
  readonly keepAliveMs: number;
  /** How often the two timeouts above are checked (a timeout fires up to this much late). */
  readonly checkIntervalMs: number;
}

export const DEFAULT_TIMEOUTS: ServerTimeouts = { requestMs: 30_000, headersMs: 5_000, keepAliveMs: 4_000, checkIntervalMs: 1_000 };
/** Open connections at most, WebSockets included; more are dropped at once (`server.maxConnections`). */
export const MAX_CONNECTIONS = 256;
/**
 * Open connections at most per address group (IPv4 address, IPv6 /64): one client holds at most
 * this share of {@link MAX_CONNECTIONS}, so half-sent requests from it cannot lock others out.
 * Behind a trusted proxy, requests in progress per forwarded address group instead.
 */
export const MAX_CONNECTIONS_PER_ADDRESS = 32;

export interface NodeHttpServer {
  readonly server: Server;
  readonly signaling: Signaling;
  /** The port listened on (the one picked when asked for 0). */
  readonly port: number;
  /** `http://HOST:PORT` (127.0.0.1 when listening on every interface). */
  readonly restUrl: string;
  /** `ws://HOST:PORT/signal`: where this node (and others on this machine) reach the endpoint. */
  readonly signalUrl: string;
  /** Serves REST requests with `handler` from now on. */
  setHandler(handler: RequestHandler): void;
  /** Closes every signaling socket and the HTTP server; resolves once the port is free. */
  close(): Promise<void>;
}

/** The status line and error of a client error Node's HTTP parser or timers raised. */
function clientErrorReply(code: string | undefined): [status: number, reason: string, error: string, message: string] {
  if (code === 'HPE_HEADER_OVERFLOW') return [431, 'Request Header Fields Too Large', 'headers-too-large', 'the request headers are too large'];
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'Request Timeout', 'timeout', 'the request was not received in time'];
  return [400, 'Bad Request', 'bad-request', `the request is not valid HTTP${code ? ` (${code})` : ''}`];
}

/**
 * Answers a malformed, oversized or too slow request with a JSON error (Node's own answer has no
 * body and no content type), then closes the connection. Nothing is written once a response
 * has begun on the socket, or when the client is gone.
 */
function onClientError(error: Error & { code?: string }, socket: Duplex): void {
  const current = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || current?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, reason, code, message] = clientErrorReply(error.code);
  const body = `${JSON.stringify({ error: code, message })}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncache-control: no-store\r\n${API_SECURITY_HEADER_LINES}` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
  // end() flushes and closes; a client that never reads must not keep the socket.
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** Starts the HTTP server with `/signal`; resolves once it listens. */
export async function startNodeHttpServer(options: NodeHttpServerOptions): Promise<NodeHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const trustProxy = options.trustProxy ?? false;
  const perAddress = options.maxConnectionsPerAddress ?? MAX_CONNECTIONS_PER_ADDRESS;
  let handler: RequestHandler | null = null;
  const sourcePolicy = (): RequestSourcePolicy => {
    const address = server.address();
    return { port: typeof address === 'object' && address ? address.port : options.port, host, origins: options.origins ?? [], tokenRequired: options.tokenRequired ?? false, trustProxy };
  };
  // The front of every plain request, as Hono middleware and routes: where it comes from, then
  // `/signal` (426 without an upgrade), then the REST handler (503 until the node has started).
  const front = new Hono<{ Bindings: HttpBindings }>();
  if (trustProxy) {
    // Every socket is the proxy's: a client is its forwarded address, known only now. A refused
    // request's connection is closed, so a body it trickles holds no socket.
    const admit = limitRequestsPerAddress(perAddress, true);
    front.use(async (c, next) => {
      if (!admit(c.env.incoming, c.env.outgoing).admitted) {
        return jsonReply(429, { error: 'too-many-requests', message: `too many requests in progress from your address: at most ${perAddress} at once` }, { 'retry-after': '1', connection: 'close' });
      }
      await next();
    });
  }
  front.use(requestSourceGuard(sourcePolicy));
  front.all(SIGNALING_PATH, () => jsonReply(426, { error: 'upgrade-required', message: 'this is the WebSocket signaling endpoint: connect with ws:// or wss://' }, { upgrade: 'websocket' }));
  front.all('*', (c) => {
    if (!handler) return jsonReply(503, { error: 'starting', message: 'the node is starting: try again in a moment' }, { 'retry-after': '1' });
    handler(c.env.incoming, c.env.outgoing);
    return RESPONSE_ALREADY_SENT;
  });
  let current: IncomingMessage | null = null;
  const frontListener = getRequestListener(front.fetch, {
    overrideGlobalObjects: false,
    // The REST handler reads the body itself.
    autoCleanupIncoming: false,
    // A request without Host reaches the guard, which refuses it (421) by the raw headers.
    hostname: 'no-host.invalid',
    // A Host the framework cannot make a URL of is not one of this node's names: the guard's
    // refusal, judged here on the same raw headers (the listener calls this synchronously).
    errorHandler: () => {
      const refusal = current ? checkRequestSource(current.headers, sourcePolicy()) : null;
      return refusal ? jsonReply(refusal.status, { error: refusal.error, message: refusal.message }) : jsonReply(400, { error: 'bad-request', message: 'the request URL cannot be parsed' });
    },
  });
  // requireHostHeader off: a request without Host gets the JSON 421, not Node's bare 400.
  const server = createServer({ connectionsCheckingInterval: timeouts.checkIntervalMs, requireHostHeader: false }, (req, res) => {
    // The API serves data only: its policy lets nothing load, and no page may frame it.
    for (const [name, value] of Object.entries(requestSecurityHeaders(req, false, 'api', trustProxy))) res.setHeader(name, value);
    if (options.onRequest) {
      const started = performance.now();
      res.once('finish', () => options.onRequest!({ method: req.method ?? '', path: req.url ?? '', status: res.statusCode, ms: Math.round(performance.now() - started) }));
    }
    current = req;
    void frontListener(req, res);
    current = null;
  });
  server.requestTimeout = timeouts.requestMs;
  server.headersTimeout = timeouts.headersMs;
  server.keepAliveTimeout = timeouts.keepAliveMs;
  // Behind a trusted proxy every socket is the proxy's: the cap per address is the front's, per request.
  limitConnections(server, { maxConnections: MAX_CONNECTIONS, maxConnectionsPerAddress: trustProxy ? null : perAddress });
  server.on('clientError', onClientError);
  const signaling = attachSignaling(server, {
    path: SIGNALING_PATH,
    allowMissingOrigin: true,
    origins: options.origins ?? [],
    logger: options.logger ?? null,
    trustProxy,
    ...(options.iceServers ? { iceServers: options.iceServers } : {}),
  });
  try {
    await listen(server, options.port, host);
  } catch (error) {
    await signaling.close();
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shown = urlHost(host);
  let closing: Promise<void> | null = null;
  return {
    server,
    signaling,
    port,
    restUrl: `http://${shown}:${port}`,
    signalUrl: `ws://${shown}:${port}${SIGNALING_PATH}`,
    setHandler(next) {
      handler = next;
    },
    close() {
      closing ??= (async () => {
        await signaling.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
