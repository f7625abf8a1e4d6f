/**
 * @module The command line: `node signaling-server [options]` (index.js loads this file through
 * tsx). Serves signaling on /signal, /health, and the built app when there is one.
 *
 *   --port N          port (default: PORT, else 8080)
 *   --host ADDR       address to listen on (default 0.0.0.0)
 *   --origin URL      also allow this page origin (repeatable; '*' allows every origin)
 *   --allow-no-origin accept clients that send no Origin header (Node clients, not browsers)
 *   --dist DIR        serve the built app from DIR (default: the repository's dist/ if built)
 *   --max-connections-per-ip N, --max-peers-per-room N
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { jsonLineLogger } from './log.ts';
import { normalizeOrigin } from './signaling.ts';
import { startServer } from './server.ts';

const usage = `usage: node signaling-server [--port N] [--host ADDR] [--origin URL]... [--allow-no-origin]
                             [--dist DIR] [--max-connections-per-ip N] [--max-peers-per-room N]`;

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
      'max-peers-per-room': { type: 'string' },
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

const logger = jsonLineLogger();
try {
  const running = await startServer({
    port,
    host: args.host ?? '0.0.0.0',
    dist,
    signaling: {
      origins,
      allowMissingOrigin: args['allow-no-origin'] ?? false,
      maxConnectionsPerIp: integer(args['max-connections-per-ip'], '--max-connections-per-ip', 1, 1_000_000),
      maxPeersPerRoom: integer(args['max-peers-per-room'], '--max-peers-per-room', 1, 1_000_000),
      logger,
    },
  });
  logger({ event: 'listening', app: dist ? running.appUrl : null, signal: running.signalUrl, health: `${running.appUrl}health`, origins, dist });
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
