/**
 * `npm start`: builds the app when dist/ is missing, then serves it and the signaling endpoint
 * (/signal) on one port with the signaling server's own code. PORT sets the port (default 8080).
 * `npm start -- --https` serves over TLS so other devices can use it; the TLS and ICE flags are
 * the signaling server's (signaling-server/server-flags.ts). It prints every URL another device
 * can open, with a QR code of the first for a phone.
 */
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { deviceUrls, startBanner } from '../signaling-server/device-urls.ts';
import {
  FlagError,
  ICE_FLAGS_USAGE,
  ICE_FLAG_OPTIONS,
  TLS_FLAGS_USAGE,
  TLS_FLAG_OPTIONS,
  certificateNote,
  iceSummary,
  parseIceFlags,
  parseTlsFlags,
  setUpTls,
  type TlsSetup,
} from '../signaling-server/server-flags.ts';
import { startServer } from '../signaling-server/server.ts';
import { TlsSetupError } from '../signaling-server/tls-certificate.ts';

const usage = `usage: npm start -- [options]      (PORT=N sets the port, default 8080)

${TLS_FLAGS_USAGE}
${ICE_FLAGS_USAGE}
  --trust-proxy         behind a reverse proxy: count clients by the last X-Forwarded-For
                        entry (only with a proxy that sets it)
  -h, --help            this text`;

function fail(message: string, code = 2): never {
  console.error(code === 2 ? `${message}\n\n${usage}` : message);
  process.exit(code);
}

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const dist = join(root, process.env.DIST_DIR ?? 'dist');
const port = Number(process.env.PORT ?? 8080);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`PORT must be an integer from 0 to 65535, not ${process.env.PORT}`);

let tlsFlags;
let iceServers;
let trustProxy = false;
try {
  const values = parseArgs({ options: { ...TLS_FLAG_OPTIONS, ...ICE_FLAG_OPTIONS, 'trust-proxy': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }).values;
  trustProxy = values['trust-proxy'] ?? false;
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  tlsFlags = parseTlsFlags(values);
  iceServers = parseIceFlags(values);
} catch (error) {
  fail(error instanceof FlagError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? (error as Error).message : String(error));
}

let tls: TlsSetup | null = null;
if (tlsFlags.enabled) {
  try {
    tls = await setUpTls(tlsFlags);
  } catch (error) {
    fail(error instanceof TlsSetupError ? `cannot serve over HTTPS: ${error.message}` : String(error), 1);
  }
  const note = tls.stored && certificateNote(tls.stored);
  if (note) console.log(note);
}

if (!existsSync(join(dist, 'index.html'))) {
  console.log('dist/ is missing: building the app first (npm run build)…');
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
}

// Headless nodes (npm run node -- --signal ws://…/signal) send no Origin header: let them in.
// Browsers always send one, so pages of other origins are still refused.
const running = await startServer({
  port,
  dist,
  ...(tls ? { tls: tls.tls } : {}),
  trustProxy,
  signaling: { allowMissingOrigin: true, hostnames: tlsFlags.hostnames, ...(iceServers ? { iceServers } : {}) },
}).catch((error: Error) => fail(`cannot start: ${error.message}`, 1));

process.stdout.write(
  startBanner({
    urls: deviceUrls({ port: running.port, tls: running.tls, hostnames: tlsFlags.hostnames }),
    signalUrl: running.signalUrl,
    tls: running.tls,
    selfSignedCert: tls?.stored ? tls.stored.certPath : null,
    iceSummary: iceSummary(iceServers),
    color: process.stdout.isTTY === true && !process.env.NO_COLOR,
  }),
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void running.close().then(() => process.exit(0)));
}
