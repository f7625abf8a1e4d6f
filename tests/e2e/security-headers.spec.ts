/**
 * The app under its own Content-Security-Policy (signaling-server/security-headers.ts): every
 * view, in both themes and both languages, runs without a single violation; another origin
 * cannot frame it; and a memo written as HTML shows as text in the views that show memos (wallet
 * history, mempool, explorer tx page), and markup in place of an address or txid makes no element.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Page } from './fixtures.ts';

test.describe.configure({ timeout: 180_000 });

/** Memo text that would run script if any view put it into the page as HTML. */
const HTML_MEMO = '<img src=x onerror="window.__memoRan=1">';

/** Collects every CSP violation the page reports, as DOM events and as console messages. */
async function watchViolations(page: Page): Promise<string[]> {
  const seen: string[] = [];
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation event: ${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  page.on('console', (message) => {
    const text = message.text();
    if (/Content Security Policy|CSP violation/i.test(text)) seen.push(text);
  });
  return seen;
}

test('behavior: the app is served with the security headers and every view, in both themes and languages, runs without a CSP violation; HTML in a memo shows as text', async ({ page }) => {
  const violations = await watchViolations(page);
  const response = await page.goto('/?network=regtest');
  const headers = response!.headers();
  expect(headers['content-security-policy']).toContain("script-src 'self'");
  expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('no-referrer');
  expect(headers['cross-origin-opener-policy']).toBe('same-origin');

  await page.evaluate(() => window.tabchain.ready());
  await page.evaluate(() => window.tabchain.mine(6));
  const address = await page.evaluate(() => window.tabchain.wallet.newAddress());
  const paid = await page.evaluate(([to, memo]) => window.tabchain.send({ to: to!, amount: '150000000', memo }), [address, HTML_MEMO]);
  const [blockHash] = await page.evaluate(() => window.tabchain.mine(1));
  const pending = await page.evaluate(([to, memo]) => window.tabchain.send({ to: to!, amount: '50000000', memo }), [address, HTML_MEMO]);

  const views: [name: string, hash: string, showsMemo: boolean][] = [
    ['wallet', '#/wallet', true],
    ['mining', '#/mining', false],
    ['network', '#/network', false],
    ['explorer', '#/explorer', false],
    ['block page', `#/explorer/block/${blockHash}`, false],
    ['tx page', `#/explorer/tx/${paid.txid}`, true],
    ['pending tx page', `#/explorer/tx/${pending.txid}`, true],
    ['address page', `#/explorer/address/${address}`, false],
    ['mempool', '#/mempool', true],
    // Markup where an address or a txid belongs: the pages show it as text or refuse it.
    ['address page of markup', `#/explorer/address/${encodeURIComponent(HTML_MEMO)}`, true],
    ['tx page of markup', `#/explorer/tx/${encodeURIComponent(HTML_MEMO)}`, false],
  ];
  const visit = async (label: string) => {
    for (const [name, hash, showsMemo] of views) {
      await page.evaluate((h) => (location.hash = h), hash);
      await expect(page.locator('main h2').first(), `${label} ${name}`).toBeVisible();
      if (showsMemo) await expect(page.locator('main').getByText(HTML_MEMO).first(), `${label} ${name}: the memo as text`).toBeVisible({ timeout: 15_000 });
      expect(await page.locator('main img[src="x"]').count(), `${label} ${name}: no <img> made from the memo`).toBe(0);
    }
  };
  for (const theme of ['light', 'dark'] as const) {
    await page.getByLabel('Theme').selectOption(theme);
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await visit(theme);
  }
  await page.getByLabel('Language').selectOption('zh');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await visit('zh');
  // Markup typed where an address or a search belongs is shown, if at all, as text.
  await page.evaluate(() => (location.hash = '#/wallet'));
  await page.locator('#send-to').fill(HTML_MEMO);
  await page.locator('#send-to').blur();
  await page.evaluate(() => (location.hash = '#/explorer'));
  await page.locator('#explorer-search').fill(HTML_MEMO);
  await page.locator('#explorer-search').press('Enter');
  await expect(page.locator('main h2').first()).toBeVisible();
  expect(await page.locator('img[src="x"]').count()).toBe(0);
  // The miner runs in a worker and the service worker registers: both under the policy too.
  await page.evaluate(() => window.tabchain.mine(1));
  await page.evaluate(() => navigator.serviceWorker.ready);
  expect(await page.evaluate(() => (window as unknown as { __memoRan?: number }).__memoRan)).toBeUndefined();
  expect(violations).toEqual([]);
});

test('error: a page of another origin cannot frame the app', async ({ page, baseURL }) => {
  const refusals: string[] = [];
  page.on('console', (message) => {
    if (/frame-ancestors|Refused to (display|frame)/i.test(message.text())) refusals.push(message.text());
  });
  // A page on another origin (another port) that puts the app in an iframe. It is on loopback
  // too, so the browser's local-network rules do not stop the frame before its headers do.
  const framer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><iframe src="${baseURL}/?network=regtest"></iframe>`);
  });
  await new Promise<void>((resolve) => framer.listen(0, '127.0.0.1', resolve));
  const port = (framer.address() as AddressInfo).port;
  const appResponse = page.waitForResponse((r) => r.url().startsWith(`${baseURL}/`));
  await page.goto(`http://127.0.0.1:${port}/`);
  const answered = await appResponse;
  expect(answered.headers()['x-frame-options']).toBe('DENY');
  await expect.poll(() => refusals.length, { timeout: 15_000 }).toBeGreaterThan(0);
  const frame = page.frames().find((f) => f !== page.mainFrame());
  expect(frame).toBeDefined();
  // The browser shows its own error page in the frame: the app never ran there.
  expect(await frame!.evaluate(() => typeof (window as unknown as { tabchain?: unknown }).tabchain).catch(() => 'no access')).not.toBe('object');
  expect(await frame!.locator('#app').count().catch(() => 0)).toBe(0);
  await new Promise<void>((resolve) => framer.close(() => resolve()));
});
