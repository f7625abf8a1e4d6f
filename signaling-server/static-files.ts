/**
 * @module Serves the built app (dist/) over plain HTTP with a /health endpoint.
 * The signaling endpoint (WebSocket) will share this server and port.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

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

export interface StaticServerOptions {
  /** Folder with the built app. */
  root: string;
  port: number;
  host?: string;
}

/** Starts an HTTP server for the built app; resolves once it listens. */
export async function startStaticServer(options: StaticServerOptions): Promise<Server> {
  const root = resolve(options.root);
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/health') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true }));
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405).end();
        return;
      }
      let path: string;
      try {
        path = normalize(join(root, decodeURIComponent(url.pathname)));
      } catch {
        res.writeHead(400).end();
        return;
      }
      // Never serve anything outside root, whatever the path says.
      if (path !== root && !path.startsWith(root + sep)) {
        res.writeHead(403).end();
        return;
      }
      let file = path;
      const info = await stat(file).catch(() => null);
      if (!info || info.isDirectory()) file = join(info ? file : root, 'index.html');
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
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host ?? '0.0.0.0', () => ok());
  });
  return server;
}
