/**
 * Issue 10: the app opened from "another device" by a LAN name over HTTPS. The test starts its own
 * server as `npm start -- --https --hostname lan.test` does (the built app, a self-signed
 * certificate naming lan.test, signaling on /signal over wss), and Chromium resolves lan.test to
 * 127.0.0.1. Pages there are secure contexts, so the node starts; two profiles link and sync; and
 * the ICE servers the signaling server hands out in `joined` reach the page. An http:// address
 * typed by hand is redirected to https:// on the same port.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Browser, type BrowserContext, type Page } from './fixtures.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../../scripts/chromium.ts';
import { certificateNames } from '../../signaling-server/local-addresses.ts';
import { startServer, type RunningServer, type ServerOptions } from '../../signaling-server/server.ts';
import { generateSelfSignedCertificate, type TlsPair } from '../../signaling-server/tls-certificate.ts';

test.describe.configure({ timeout: 120_000 });

// lan.test stands for this machine's name on a LAN: any host but localhost, where plain http is
// not a secure context. The certificate is self-signed, as a phone would first see it; the
// browser is told to accept it, as the user does once: for the whole browser, so that the node's
// worker and the workers it starts (new TLS connections of their own) are covered too, not only
// the page's requests (Playwright's ignoreHTTPSErrors).
const executablePath = chromiumPath();
test.use({
  ignoreHTTPSErrors: true,
  launchOptions: { ...(executablePath ? { executablePath } : {}), args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP lan.test 127.0.0.1', '--ignore-certificate-errors'] },
});

const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
const dist = join(root, process.env.DIST_DIR ?? 'dist');
const TURN_SECRET = 'lan-test-turn-secret';

let tls: TlsPair;
const servers: RunningServer[] = [];

test.beforeAll(async () => {
  tls = await generateSelfSignedCertificate(certificateNames(['lan.test']));
});

test.afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A server like `npm start -- --https --hostname lan.test`, on a free port. */
async function startLanServer(signaling: ServerOptions['signaling'] = {}): Promise<{ server: RunningServer; url: string }> {
  const server = await startServer({ port: 0, host: '127.0.0.1', dist, tls, signaling: { logger: null, hostnames: ['lan.test'], ...signaling } });
  servers.push(server);
  return { server, url: `https://lan.test:${server.port}/?network=regtest` };
}

interface Tab {
  context: BrowserContext;
  page: Page;
}

async function tab(browser: Browser, url: string): Promise<Tab> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  await page.evaluate(() => window.tabchain.ready());
  return { context, page };
}

const ready = (t: Tab) => t.page.evaluate(async () => (await window.tabchain.peers()).filter((p) => p.state === 'ready').map((p) => p.id));
const tip = (t: Tab) => t.page.evaluate(() => window.tabchain.chain.tip());

test('behavior: two profiles open https://lan.test, link through wss signaling and sync: one mines, the other reaches its tip', async ({ browser }) => {
  const { url } = await startLanServer();
  const a = await tab(browser, url);
  // The other types the address without https://: the port redirects it.
  const b = await tab(browser, url.replace(/^https:/, 'http:'));
  for (const t of [a, b]) {
    expect(await t.page.evaluate(() => [location.origin, window.isSecureContext])).toEqual([new URL(url).origin, true]);
    await expect.poll(() => t.page.evaluate(async () => (await window.tabchain.self()).signaling), { timeout: 30_000 }).toBe('online');
  }
  await expect.poll(async () => (await ready(a)).length, { timeout: 30_000 }).toBe(1);
  await a.page.evaluate(() => window.tabchain.mine(3));
  const target = await tip(a);
  expect(target.height).toBe(3);
  await expect.poll(async () => (await tip(b)).hash, { timeout: 60_000 }).toBe(target.hash);
  // And back: b mines on top, a follows.
  await b.page.evaluate(() => window.tabchain.mine(1));
  const next = await tip(b);
  await expect.poll(async () => (await tip(a)).hash, { timeout: 60_000 }).toBe(next.hash);
  expect(next.height).toBe(4);
});

test('behavior: the ICE servers the signaling server hands out in joined reach the page', async ({ browser }) => {
  // Nothing listens on these ports: the page only has to receive them (links are the NAT lab's job).
  const { url } = await startLanServer({
    iceServers: { stun: ['stun:127.0.0.1:3478'], turn: { urls: ['turn:127.0.0.1:3478?transport=udp'], secret: TURN_SECRET, ttlSeconds: 3600 } },
  });
  const a = await tab(browser, url);
  await expect.poll(() => a.page.evaluate(async () => (await window.tabchain.self()).signaling), { timeout: 30_000 }).toBe('online');
  await expect
    .poll(() => a.page.evaluate(async () => await window.tabchain.connectivity()), { timeout: 30_000 })
    .toMatchObject({ iceServers: 2, iceSource: 'server', relayConfigured: true });
});
