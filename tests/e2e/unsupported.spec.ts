/**
 * A page opened where the node cannot run explains why, in both languages, without a script
 * error: plain http on a LAN name (not a secure context, so no Web Locks or Web Crypto), and a
 * browser with WebRTC turned off. `lan.test` is mapped to 127.0.0.1 by Chromium's resolver, so
 * the page is served by the test server under a name that is not localhost, as a second device
 * on the Wi-Fi would open it.
 */
import AxeBuilder from '@axe-core/playwright';
import { chromium } from '@playwright/test';
import { expect, test, type Page } from './fixtures.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../../scripts/chromium.ts';

/** Uncaught errors and console errors the page reports; a test expects none. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return errors;
}

/** axe-core's serious and critical WCAG 2.1 A/AA violations, as in accessibility.spec.ts. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
}

test('behavior: plain http on a LAN name explains HTTPS in English and in Chinese, with no script error', async ({ baseURL }) => {
  const port = new URL(baseURL!).port;
  const executablePath = chromiumPath();
  const browser = await chromium.launch({
    ...(executablePath ? { executablePath } : {}),
    args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP lan.test 127.0.0.1'],
  });
  try {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(`http://lan.test:${port}/?network=regtest`);

    expect(await page.evaluate(() => window.isSecureContext)).toBe(false);
    await expect(page.getByRole('heading', { name: 'Open tabchain over HTTPS' })).toBeVisible();
    await expect(page.getByText('only to https:// pages and to localhost')).toBeVisible();
    await expect(page.getByText('npm start -- --https')).toBeVisible();
    await expect(page.getByTestId('https-url')).toHaveAttribute('href', `https://lan.test:${port}/?network=regtest`);
    await expect(page.getByText('accept the warning once')).toBeVisible();
    await expect(page.getByText(`http://localhost:${port}/?network=regtest`)).toBeVisible();
    await expect(page.getByText('Missing on this page because of plain http: Web Locks and Web Crypto.')).toBeVisible();

    // The node did not start: no half-made API, and the reason for scripts.
    expect(await page.evaluate(() => typeof window.tabchain)).toBe('undefined');
    expect(await page.evaluate(() => window.tabchainUnsupported)).toEqual({ missing: ['secure-context', 'web-locks', 'web-crypto'] });

    expect(await seriousViolations(page)).toEqual([]);

    await page.getByTestId('language').selectOption('zh');
    await expect(page.getByRole('heading', { name: '请通过 HTTPS 打开 tabchain' })).toBeVisible();
    await expect(page.getByText('npm start -- --https')).toBeVisible();
    await expect(page.getByText('接受一次警告')).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');

    // The choice is kept (localStorage works without a secure context) and nothing failed.
    await page.reload();
    await expect(page.getByRole('heading', { name: '请通过 HTTPS 打开 tabchain' })).toBeVisible();
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
});

test('behavior: with WebRTC turned off, the page names WebRTC and what to do, with no script error', async ({ page }) => {
  const errors = collectErrors(page);
  await page.addInitScript(() => {
    // What a browser setting (media.peerconnection.enabled) or a privacy extension leaves.
    const w = window as unknown as Record<string, unknown>;
    delete w.RTCPeerConnection;
    delete w.webkitRTCPeerConnection;
  });
  await page.goto('/?network=regtest');

  await expect(page.getByRole('heading', { name: 'The node cannot run on this page' })).toBeVisible();
  const item = page.getByTestId('missing-webrtc');
  await expect(item).toContainText('WebRTC (RTCPeerConnection)');
  await expect(item).toContainText('Turn WebRTC back on');
  // Only what is missing is named: a localhost page is a secure context with everything else.
  await expect(page.locator('[data-testid^="missing-"]')).toHaveCount(1);
  await expect(page.getByRole('heading', { name: 'Open tabchain over HTTPS' })).toHaveCount(0);
  expect(await page.evaluate(() => window.tabchainUnsupported)).toEqual({ missing: ['webrtc'] });

  await page.getByTestId('language').selectOption('zh');
  await expect(page.getByRole('heading', { name: '节点无法在此页面运行' })).toBeVisible();
  await expect(item).toContainText('重新启用 WebRTC');
  expect(await seriousViolations(page)).toEqual([]);
  expect(errors).toEqual([]);
});
