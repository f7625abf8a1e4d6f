/**
 * @module The headless node's one HTTP server: the REST API and this node's own signaling
 * endpoint (`/signal`, the same one `node signaling-server` serves) on one port, so other nodes
 * register it as `http://host:port` and find it at `ws://host:port/signal`. Until the node has
 * started, REST requests get 503.
 *
 * Every plain HTTP request is first checked for where it comes from ({@link checkRequestSource}):
 * a web page must not drive the node through the user's browser, neither by a rebound DNS name
 * (421 `bad-host`) nor by a cross-site request (403 `cross-site`). The WebSocket upgrade on
 * `/signal` has its own origin policy (attachSignaling). Slow or malformed clients are cut off
 * with a JSON 400/408/431 (timeouts and a connection cap below).
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { attachSignaling, type Signaling } from '../../signaling-server/signaling.ts';
import type { Logger } from '../../signaling-server/log.ts';
import type { IceServersOption } from '../../signaling-server/ice-servers.ts';
import { API_SECURITY_HEADER_LINES, requestSecurityHeaders } from '../../signaling-server/security-headers.ts';
import { limitConnections } from '../../signaling-server/connection-limits.ts';

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

const SIGNAL_PATH = '/signal';

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': String(Buffer.byteLength(text)), ...headers }).end(text);
}

/** Who may send requests: see {@link checkRequestSource}. */
export interface RequestSourcePolicy {
  /** The port listened on. */
  readonly port: number;
  /** The address listened on (--host). */
  readonly host: string;
  /** Page origins allowed besides the node's own (--origin, normalized; `*` is ignored here). */
  readonly origins: readonly string[];
  /** The REST writes need a bearer token. */
  readonly tokenRequired: boolean;
}

export interface SourceRefusal {
  readonly status: 421 | 403;
  readonly error: 'bad-host' | 'cross-site';
  readonly message: string;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[^:[\]/@\s]+)(?::([0-9]{1,5}))?$/i;

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

/**
 * Whether a plain HTTP request may be served, judged by its Host, Origin and Sec-Fetch-Site
 * headers; null when it may, else the refusal to answer.
 *
 * - **Host** (against DNS rebinding, where a page's own name is re-pointed at 127.0.0.1 so the
 *   browser treats the node as same-origin): the host must be `localhost`, `127.0.0.1`, `[::1]`
 *   or the `--host` address, and the port the node's (none means 80). When listening on every
 *   interface the node's names are unknown: with a token set, any Host is answered (a rebound
 *   page has no token, so it can only read what anyone reaching the port can read); without a
 *   token, loopback names only, so a token is what opens the REST API to other machines (the
 *   WebSocket `/signal`, all other nodes need, is open either way). A missing Host is refused.
 * - **Origin**: browsers send it on cross-origin fetches and on every POST; one that is neither
 *   an `--origin` nor the node's own (`http://` + the Host) is refused, `null` included.
 * - **Sec-Fetch-Site**: `cross-site` or `same-site` (sent by browsers even on `<img>` and
 *   navigations to localhost, which carry no Origin) is refused unless the Origin is an `--origin`.
 *
 * curl, scripts and other nodes send no Origin and no Sec-Fetch-Site, so they are served.
 */
export function checkRequestSource(headers: IncomingHttpHeaders, policy: RequestSourcePolicy): SourceRefusal | null {
  const hostHeader = (headers.host ?? '').trim().toLowerCase();
  const anyHost = isWildcard(policy.host) && policy.tokenRequired;
  if (!anyHost) {
    const names = new Set([...LOOPBACK_NAMES, ...(isWildcard(policy.host) ? [] : [urlHost(policy.host.toLowerCase())])]);
    const match = HOST_HEADER.exec(hostHeader);
    const port = match ? (match[2] !== undefined ? Number(match[2]) : 80) : NaN;
    if (!match || !names.has(match[1]!) || port !== policy.port) {
      const shown = [...names].map((n) => `${n}:${policy.port}`).join(', ');
      return {
        status: 421,
        error: 'bad-host',
        message:
          `this node answers requests for ${shown} only, not for Host ${JSON.stringify(hostHeader.slice(0, 100))} (a guard against DNS rebinding)` +
          (isWildcard(policy.host) ? '; to use the REST API from other machines, start the node with a token (TABCHAIN_TOKEN)' : ''),
      };
    }
  }
  const origin = typeof headers.origin === 'string' ? headers.origin.trim().toLowerCase() : undefined;
  const listed = origin !== undefined && policy.origins.some((o) => o !== '*' && o.toLowerCase() === origin);
  if (origin !== undefined && !listed && origin !== `http://${hostHeader}`) {
    return { status: 403, error: 'cross-site', message: `requests from web pages of other origins are refused (Origin ${JSON.stringify(origin.slice(0, 100))}): start the node with --origin ORIGIN to allow one` };
  }
  const site = headers['sec-fetch-site'];
  if ((site === 'cross-site' || site === 'same-site') && !listed) {
    return { status: 403, error: 'cross-site', message: `requests from web pages of other sites are refused (Sec-Fetch-Site: ${site}): start the node with --origin ORIGIN to allow one` };
  }
  return null;
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

/** The host part of a URL for `host` (IPv6 in brackets; a wildcard becomes the loopback address). */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts the HTTP server with `/signal`; resolves once it listens. */
export async function startNodeHttpServer(options: NodeHttpServerOptions): Promise<NodeHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  let handler: RequestHandler | null = null;
  const sourcePolicy = (): RequestSourcePolicy => {
    const address = server.address();
    return { port: typeof address === 'object' && address ? address.port : options.port, host, origins: options.origins ?? [], tokenRequired: options.tokenRequired ?? false };
  };
  // requireHostHeader off: a request without Host gets the JSON 421 below, not Node's bare 400.
  const server = createServer({ connectionsCheckingInterval: timeouts.checkIntervalMs, requireHostHeader: false }, (req, res) => {
    // The API serves data only: its policy lets nothing load, and no page may frame it.
    for (const [name, value] of Object.entries(requestSecurityHeaders(req, false, 'api'))) res.setHeader(name, value);
    if (options.onRequest) {
      const started = performance.now();
      res.once('finish', () => options.onRequest!({ method: req.method ?? '', path: req.url ?? '', status: res.statusCode, ms: Math.round(performance.now() - started) }));
    }
    const refusal = checkRequestSource(req.headers, sourcePolicy());
    if (refusal) {
      reply(res, refusal.status, { error: refusal.error, message: refusal.message });
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === SIGNAL_PATH) {
      reply(res, 426, { error: 'upgrade-required', message: 'this is the WebSocket signaling endpoint: connect with ws:// or wss://' }, { upgrade: 'websocket' });
      return;
    }
    if (!handler) {
      reply(res, 503, { error: 'starting', message: 'the node is starting: try again in a moment' }, { 'retry-after': '1' });
      return;
    }
    handler(req, res);
  });
  server.requestTimeout = timeouts.requestMs;
  server.headersTimeout = timeouts.headersMs;
  server.keepAliveTimeout = timeouts.keepAliveMs;
  limitConnections(server, { maxConnections: MAX_CONNECTIONS, maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? MAX_CONNECTIONS_PER_ADDRESS });
  server.on('clientError', onClientError);
  const signaling = attachSignaling(server, {
    path: SIGNAL_PATH,
    allowMissingOrigin: true,
    origins: options.origins ?? [],
    logger: options.logger ?? null,
    ...(options.iceServers ? { iceServers: options.iceServers } : {}),
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
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
    signalUrl: `ws://${shown}:${port}${SIGNAL_PATH}`,
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
