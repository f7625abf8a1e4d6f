/**
 * `npm start`: builds the app when dist/ is missing, then serves it (and, from the peers
 * milestone on, the signaling endpoint) on one port. PORT sets the port (default 8080).
 */
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { startStaticServer } from '../signaling-server/static-files.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const dist = join(root, 'dist');
const port = Number(process.env.PORT ?? 8080);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be an integer from 0 to 65535, not ${process.env.PORT}`);
  process.exit(2);
}

if (!existsSync(join(dist, 'index.html'))) {
  console.log('dist/ is missing: building the app first (npm run build)…');
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
}

const server = await startStaticServer({ root: dist, port });
const address = server.address();
const actualPort = typeof address === 'object' && address ? address.port : port;
console.log(`tabchain is running at http://localhost:${actualPort}/`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
