/**
 * @module Serving the built app (dist/) over plain HTTP, and the request handler of the whole
 * HTTP side: `/health`, `/signal` without an upgrade, the app's files, or a short status text
 * when there is no app to serve. `server.ts` puts it together with the signaling endpoint.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { SIGNALING_PATH } from '../src/core/net/signaling-messages.ts';
import { requestSecurityHeaders } from './security-headers.ts';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** What `/health` reports: `{ ok: true }` plus whatever the server adds (rooms, peers). */
export type HealthReport = { ok: true } & Record<string, unknown>;

export interface AppHandlerOptions {
  /** Folder with the built app, or null to serve no files (signaling only). */
  dist: string | null;
  /** The `/health` body. Default `{ ok: true }`. */
  health?: () => HealthReport;
  /** The signaling endpoint's path, answered 426 to plain HTTP requests. Default `/signal`. */
  signalPath?: string;
  /** Whether responses go out over TLS (HSTS). Default false. */
  tls?: boolean;
  /** Behind a trusted proxy: its `X-Forwarded-Proto: https` counts as TLS. Default false. */
  trustProxy?: boolean;
}

/**
 * The HTTP request handler: `/health` (JSON), the signaling path without an upgrade (426), then
 * the app's files from `dist`, or, without one, a short status text at `/` and 404 elsewhere.
 */
export function createAppHandler(options: AppHandlerOptions): RequestHandler {
  const health = options.health ?? (() => ({ ok: true }) as const);
  const signalPath = options.signalPath ?? SIGNALING_PATH;
  const files = options.dist === null ? null : serveStatic(options.dist);
  const tls = options.tls ?? false;
  return (req, res) => {
    // Every response, errors included, carries the security headers (security-headers.ts).
    for (const [name, value] of Object.entries(requestSecurityHeaders(req, tls, files ? 'app' : 'api', options.trustProxy ?? false))) res.setHeader(name, value);
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (pathname === '/health') {
      const body = JSON.stringify(health());
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    if (pathname === signalPath) {
      res.writeHead(426, { 'content-type': 'text/plain; charset=utf-8', upgrade: 'websocket' });
      res.end('this is a WebSocket endpoint: connect with ws:// or wss://\n');
      return;
    }
    if (files) {
      files(req, res);
      return;
    }
    if (pathname === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
      const text = `tabchain signaling server\nhealth: ${JSON.stringify(health())}\nWebSocket endpoint: ${signalPath}\n`;
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : text);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
  };
}

/** A handler serving the files under `root` (GET and HEAD); unknown paths get the app's index.html. */
export function serveStatic(root: string): RequestHandler {
  const base = resolve(root);
  return (req, res) => {
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405).end();
        return;
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      let path: string;
      try {
        path = normalize(join(base, decodeURIComponent(url.pathname)));
      } catch {
        res.writeHead(400).end();
        return;
      }
      // Never serve anything outside root, whatever the path says.
      if (path !== base && !path.startsWith(base + sep)) {
        res.writeHead(403).end();
        return;
      }
      let file = path;
      const info = await stat(file).catch(() => null);
      if (!info || info.isDirectory()) file = join(info ? file : base, 'index.html');
      const fileInfo = await stat(file).catch(() => null);
      if (!fileInfo) {
        res.writeHead(404).end();
        return;
      }
      const headers: Record<string, string> = {
        'content-type': contentTypes[extname(file)] ?? 'application/octet-stream',
        'content-length': String(fileInfo.size),
      };
      // Hashed assets never change; the shell and the service worker must always be revalidated.
      headers['cache-control'] = file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache';
      res.writeHead(200, headers);
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
}

export interface StaticServerOptions {
  /** Folder with the built app. */
  root: string;
  port: number;
  host?: string;
}

/**
 * Starts an HTTP server for the built app alone (no signaling; `/health` says `{ ok: true }`);
 * resolves once it listens. The benchmarks use it; `startServer` (server.ts) is the full server.
 */
export async function startStaticServer(options: StaticServerOptions): Promise<Server> {
  const server = createServer(createAppHandler({ dist: options.root }));
  await listen(server, options.port, options.host ?? '0.0.0.0');
  return server;
}

/** `server.listen` as a promise that rejects on a listen error (EADDRINUSE, EACCES). */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((ok, fail) => {
    const onError = (error: Error) => fail(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      ok();
    });
  });
}
