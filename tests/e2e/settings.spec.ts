/**
 * Language and theme: chosen from the browser (its language, its colour scheme) on a first visit,
 * switchable from the header, and kept across reloads.
 */
import { expect, test } from './fixtures.ts';

test('behavior: a browser that prefers Chinese gets the app in Chinese; English can be chosen and is kept after a reload', async ({ browser }) => {
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  await page.goto('/?network=regtest');
  await page.evaluate(() => window.tabchain.ready());
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  const nav = page.getByRole('navigation');
  await expect(nav.getByRole('link', { name: '钱包' })).toBeVisible();
  await expect(nav.getByRole('link', { name: '区块浏览器' }).or(nav.getByRole('link', { name: '浏览器' }))).toBeVisible();

  await page.getByLabel('语言').selectOption('en');
  await expect(nav.getByRole('link', { name: 'Wallet' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.reload();
  await page.evaluate(() => window.tabchain.ready());
  await expect(page.getByRole('navigation').getByRole('link', { name: 'Wallet' })).toBeVisible();
  await context.close();
});

test('behavior: the theme follows the system until one is picked, and the pick is kept after a reload', async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: 'light' });
  const page = await context.newPage();
  await page.goto('/?network=regtest');
  await page.evaluate(() => window.tabchain.ready());
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const light = await background();

  await page.getByLabel('Theme').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await background()).not.toBe(light);
  await page.reload();
  await page.evaluate(() => window.tabchain.ready());
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');

  await page.getByLabel('Theme').selectOption('system');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await context.close();
});

test('behavior: the navigation reaches every view by keyboard and the back button returns to the previous one', async ({ page }) => {
  await page.goto('/?network=regtest');
  await page.evaluate(() => window.tabchain.ready());
  const nav = page.getByRole('navigation');
  await nav.getByRole('link', { name: 'Mining' }).focus();
  await page.keyboard.press('Enter');
  await expect(nav.getByRole('link', { name: 'Mining' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('heading', { level: 2 }).first()).toContainText('Mining');
  await nav.getByRole('link', { name: 'Mempool' }).click();
  await expect(nav.getByRole('link', { name: 'Mempool' })).toHaveAttribute('aria-current', 'page');
  await page.goBack();
  await expect(nav.getByRole('link', { name: 'Mining' })).toHaveAttribute('aria-current', 'page');
});
