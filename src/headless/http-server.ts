/**
 * @module The headless node's one HTTP server: the REST API and this node's own signaling
 * endpoint (`/signal`, the same one `node signaling-server` serves) on one port, so other nodes
 * register it as `http://host:port` and find it at `ws://host:port/signal`. Until the node has
 * started, REST requests get 503.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { attachSignaling, type Signaling } from '../../signaling-server/signaling.ts';
import type { Logger } from '../../signaling-server/log.ts';

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
  /** Called once per answered request (default none). */
  readonly onRequest?: (entry: { method: string; path: string; status: number; ms: number }) => void;
}

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
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers }).end(text);
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
  let handler: RequestHandler | null = null;
  const server = createServer((req, res) => {
    if (options.onRequest) {
      const started = performance.now();
      res.once('finish', () => options.onRequest!({ method: req.method ?? '', path: req.url ?? '', status: res.statusCode, ms: Math.round(performance.now() - started) }));
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
  const signaling = attachSignaling(server, {
    path: SIGNAL_PATH,
    allowMissingOrigin: true,
    origins: options.origins ?? [],
    logger: options.logger ?? null,
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
