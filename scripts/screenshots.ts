/**
 * Takes the README's screenshots: two tabs (separate profiles) on the test network, linked over
 * WebRTC, after one mined a few blocks. Usage: npm run build && tsx scripts/screenshots.ts
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { startServer } from '../signaling-server/server.ts';
import { CHROMIUM_ARGS, chromiumPath } from './chromium.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const executablePath = chromiumPath();
const server = await startServer({ port: 0, host: '127.0.0.1', dist: join(root, 'dist'), signaling: { logger: null } });
const base = `http://127.0.0.1:${server.port}`;
const browser = await chromium.launch({ ...(executablePath ? { executablePath } : {}), args: CHROMIUM_ARGS });
try {
  const open = async () => {
    const context = await browser.newContext({ viewport: { width: 900, height: 1000 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(`${base}/?network=test`);
    await page.evaluate(() => window.tabchain.ready());
    // The first visit says "Ready to work offline"; the picture is of the app, not the banner.
    await page.getByRole('button', { name: 'Dismiss' }).click({ timeout: 5_000 }).catch(() => undefined);
    return page;
  };
  const a = await open();
  const b = await open();
  await a.waitForFunction(() => document.querySelectorAll('[data-testid="peer"]').length > 0, undefined, { timeout: 30_000 });
  await a.evaluate(() => window.tabchain.mine(8));
  const tip = await a.evaluate(() => window.tabchain.chain.tip());
  await b.waitForFunction(async (h) => (await window.tabchain.chain.tip()).hash === h, tip.hash, { timeout: 30_000 });
  await a.waitForTimeout(1500);
  await a.screenshot({ path: join(root, 'docs/screenshots/node.png'), fullPage: true });
  console.log('wrote docs/screenshots/node.png');
} finally {
  await browser.close();
  await server.close();
}
