/**
 * Takes the README's screenshots: every view in the light and the dark theme, plus the wallet on
 * a phone. Two tabs (separate profiles) on regtest, linked over WebRTC, with blocks, a
 * confirmed payment with a memo and a pending one, so every view has something to show.
 * Usage: npm run build && npx tsx scripts/screenshots.ts  (writes docs/screenshots/*.png)
 * The Chinese picture needs a CJK font in the system (Debian: apt-get install fonts-noto-cjk).
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from '@playwright/test';
import { startServer } from '../signaling-server/server.ts';
import { CHROMIUM_ARGS, chromiumPath } from './chromium.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'docs/screenshots');
mkdirSync(out, { recursive: true });
const executablePath = chromiumPath();
const server = await startServer({ port: 0, host: '127.0.0.1', dist: join(root, process.env.DIST_DIR ?? 'dist'), signaling: { logger: null } });
const base = `http://127.0.0.1:${server.port}`;
const browser = await chromium.launch({ ...(executablePath ? { executablePath } : {}), args: CHROMIUM_ARGS });

async function open(width: number, height: number): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1, locale: 'en-US' });
  const page = await context.newPage();
  await page.goto(`${base}/?network=regtest`);
  await page.evaluate(() => window.tabchain.ready());
  // The first visit says "Ready to work offline"; the pictures are of the app, not the banner.
  await page.getByRole('button', { name: 'Dismiss' }).click({ timeout: 5_000 }).catch(() => undefined);
  return page;
}

async function shoot(page: Page, name: string, hash: string): Promise<void> {
  await page.evaluate((h) => (location.hash = h), hash);
  await page.waitForTimeout(1200);
  // The page scrolls in its own box (the notices' strip is below it), so a full-page picture is
  // taken with a window as tall as the page's content.
  const viewport = page.viewportSize()!;
  const height = await page.evaluate(() => document.querySelector('[data-testid="page"]')?.scrollHeight ?? 0);
  await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
  await page.screenshot({ path: join(out, `${name}.png`) });
  await page.setViewportSize(viewport);
  console.log(`wrote docs/screenshots/${name}.png`);
}

try {
  const a = await open(1100, 900);
  const b = await open(1100, 900);
  await a.waitForFunction(async () => (await window.tabchain.peers()).some((p) => p.state === 'ready'), undefined, { timeout: 30_000 });

  // Blocks, a confirmed payment with a memo, and one still pending.
  await a.evaluate(() => window.tabchain.mine(8));
  const addressB = await b.evaluate(() => window.tabchain.wallet.address());
  const paid = await a.evaluate((to) => window.tabchain.send({ to, amount: '250000000', memo: 'coffee ☕' }), addressB);
  const [block] = await a.evaluate(() => window.tabchain.mine(1));
  await a.evaluate((to) => window.tabchain.send({ to, amount: '75000000', feeRate: '5', memo: 'tip' }), addressB);
  await b.waitForFunction(async () => (await window.tabchain.mempool()).length === 1, undefined, { timeout: 30_000 });
  // A few seconds of mining, so the hashrate chart has a curve.
  await a.evaluate(() => window.tabchain.miner.start({ workers: 1 }));
  await a.waitForTimeout(4000);
  await a.evaluate(() => window.tabchain.miner.stop());
  await a.evaluate(async (n) => {
    // Keep the pending payment pending: mining may have confirmed it; then send another.
    if ((await window.tabchain.mempool()).length === 0) await window.tabchain.send({ to: n, amount: '50000000', memo: 'tip' });
  }, addressB);

  for (const theme of ['light', 'dark'] as const) {
    await a.getByLabel('Theme').selectOption(theme);
    await shoot(a, `wallet-${theme}`, '#/wallet');
    await shoot(a, `mining-${theme}`, '#/mining');
    await shoot(a, `network-${theme}`, '#/network');
    await shoot(a, `explorer-${theme}`, '#/explorer');
    await shoot(a, `block-${theme}`, `#/explorer/block/${block}`);
    await shoot(a, `tx-${theme}`, `#/explorer/tx/${paid.txid}`);
    await shoot(a, `mempool-${theme}`, '#/mempool');
  }
  await b.getByLabel('Theme').selectOption('light');
  await b.setViewportSize({ width: 390, height: 844 });
  await shoot(b, 'wallet-phone-light', '#/wallet');
  await b.getByLabel('Language').selectOption('zh');
  await b.setViewportSize({ width: 1100, height: 900 });
  await shoot(b, 'wallet-zh-light', '#/wallet');
} finally {
  await browser.close();
  await server.close();
}
