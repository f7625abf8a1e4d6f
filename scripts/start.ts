/**
 * `npm start`: builds the app when dist/ is missing, then serves it and the signaling endpoint
 * (/signal) on one port with the signaling server's own code. PORT sets the port (default 8080).
 */
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { startServer } from '../signaling-server/server.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const dist = join(root, process.env.DIST_DIR ?? 'dist');
const port = Number(process.env.PORT ?? 8080);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be an integer from 0 to 65535, not ${process.env.PORT}`);
  process.exit(2);
}

if (!existsSync(join(dist, 'index.html'))) {
  console.log('dist/ is missing: building the app first (npm run build)…');
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
}

// Headless nodes (npm run node -- --signal ws://…/signal) send no Origin header: let them in.
// Browsers always send one, so pages of other origins are still refused.
const running = await startServer({ port, dist, signaling: { allowMissingOrigin: true } }).catch((error: Error) => {
  console.error(`cannot start: ${error.message}`);
  process.exit(1);
});
console.log(`tabchain is running at ${running.appUrl}`);
console.log(`signaling at ${running.signalUrl}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void running.close().then(() => process.exit(0)));
}
