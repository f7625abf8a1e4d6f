/**
 * @module The command line: `node signaling-server [options]` (index.js loads this file through
 * tsx). Serves signaling on /signal, /health, and the built app when there is one.
 *
 *   --port N          port (default: PORT, else 8080)
 *   --host ADDR       address to listen on (default 0.0.0.0)
 *   --origin URL      also allow this page origin (repeatable; '*' allows every origin)
 *   --allow-no-origin accept clients that send no Origin header (Node clients, not browsers)
 *   --dist DIR        serve the built app from DIR (default: the repository's dist/ if built)
 *   --max-connections-per-ip N, --max-connections N, --max-peers-per-room N
 *   --trust-proxy     behind a reverse proxy: count clients by its X-Forwarded-For
 *   TLS (--https, --cert, --key, --data-dir, --hostname) and ICE (--stun, --turn, --turn-secret,
 *   --turn-ttl) flags as in server-flags.ts, the same as `npm start`'s.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { jsonLineLogger } from './log.ts';
import { deviceUrls } from './device-urls.ts';
import { FlagError, ICE_FLAGS_USAGE, ICE_FLAG_OPTIONS, TLS_FLAGS_USAGE, TLS_FLAG_OPTIONS, certificateNote, parseIceFlags, parseTlsFlags, setUpTls, type TlsSetup } from './server-flags.ts';
import { normalizeOrigin } from './allowed-origins.ts';
import { startServer } from './server.ts';
import { TlsSetupError } from './tls-certificate.ts';

const usage = `usage: node signaling-server [--port N] [--host ADDR] [--origin URL]... [--allow-no-origin]
                             [--dist DIR] [--max-connections-per-ip N] [--max-connections N]
                             [--max-peers-per-room N] [--trust-proxy]
                             [--https] [--cert FILE --key FILE] [--data-dir DIR] [--hostname NAME]...
                             [--stun URL]... [--turn URL]... [--turn-secret SECRET] [--turn-ttl SECONDS]

  --max-connections-per-ip N  WebSockets per client address (IPv6: per /64), default 16
  --max-connections N         WebSockets over all clients, default 4096
  --max-peers-per-room N      peers per room, default 256; when full, a tab from a less
                              represented address takes the place of the newest peer of the
                              most represented one
  --trust-proxy               behind a reverse proxy (Caddy, nginx): count clients by the last
                              X-Forwarded-For entry, and leave the per-address socket cap to the
                              proxy. Only with a proxy that sets that header: otherwise clients
                              could claim any address

${TLS_FLAGS_USAGE}
${ICE_FLAGS_USAGE}`;

function fail(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

function integer(text: string | undefined, name: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) fail(`${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(text)}`);
  return n;
}

let args;
try {
  args = parseArgs({
    options: {
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      origin: { type: 'string', multiple: true },
      'allow-no-origin': { type: 'boolean' },
      dist: { type: 'string' },
      'max-connections-per-ip': { type: 'string' },
      'max-connections': { type: 'string' },
      'trust-proxy': { type: 'boolean' },
      'max-peers-per-room': { type: 'string' },
      ...TLS_FLAG_OPTIONS,
      ...ICE_FLAG_OPTIONS,
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  }).values;
} catch (error) {
  fail((error as Error).message);
}
if (args.help) {
  console.log(usage);
  process.exit(0);
}

const port = integer(args.port ?? (process.env.PORT || '8080'), 'port', 0, 65535)!;
let origins: string[];
try {
  origins = (args.origin ?? []).map(normalizeOrigin);
} catch (error) {
  fail((error as Error).message);
}

const repoDist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
let dist: string | null = null;
if (args.dist !== undefined) {
  dist = resolve(args.dist);
  if (!existsSync(join(dist, 'index.html'))) fail(`--dist ${args.dist}: no index.html there (build the app with npm run build)`);
} else if (existsSync(join(repoDist, 'index.html'))) {
  dist = repoDist;
}

let tlsFlags;
let iceServers;
try {
  tlsFlags = parseTlsFlags(args);
  iceServers = parseIceFlags(args);
} catch (error) {
  if (!(error instanceof FlagError)) throw error;
  fail(error.message);
}

const logger = jsonLineLogger();
let tls: TlsSetup | null = null;
if (tlsFlags.enabled) {
  try {
    tls = await setUpTls(tlsFlags);
  } catch (error) {
    if (!(error instanceof TlsSetupError)) throw error;
    console.error(`cannot serve over HTTPS: ${error.message}`);
    process.exit(1);
  }
  const note = tls.stored && certificateNote(tls.stored);
  logger({ event: 'certificate', file: tls.stored?.certPath ?? tlsFlags.own?.certFile ?? null, selfSigned: tls.stored !== null, validTo: tls.validTo.toISOString(), note });
}

try {
  const host = args.host ?? '0.0.0.0';
  const running = await startServer({
    port,
    host,
    dist,
    ...(tls ? { tls: tls.tls } : {}),
    trustProxy: args['trust-proxy'] ?? false,
    signaling: {
      origins,
      hostnames: tlsFlags.hostnames,
      ...(iceServers ? { iceServers } : {}),
      allowMissingOrigin: args['allow-no-origin'] ?? false,
      maxConnectionsPerIp: integer(args['max-connections-per-ip'], '--max-connections-per-ip', 1, 1_000_000),
      maxConnections: integer(args['max-connections'], '--max-connections', 1, 1_000_000),
      maxPeersPerRoom: integer(args['max-peers-per-room'], '--max-peers-per-room', 1, 1_000_000),
      logger,
    },
  });
  logger({
    event: 'listening',
    app: dist ? running.appUrl : null,
    signal: running.signalUrl,
    health: `${running.appUrl}health`,
    urls: deviceUrls({ port: running.port, tls: running.tls, bound: host, hostnames: tlsFlags.hostnames }).map((u) => u.url),
    origins,
    dist,
    stun: iceServers?.stun?.length ?? 0,
    turn: iceServers?.turn?.urls.length ?? 0,
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger({ event: 'stopping', signal });
      void running.close().then(() => process.exit(0));
    });
  }
} catch (error) {
  console.error(`cannot start the signaling server: ${(error as Error).message}`);
  process.exit(1);
}
