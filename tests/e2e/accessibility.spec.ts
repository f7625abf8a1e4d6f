/**
 * Every view, in the light and the dark theme, checked by axe-core (WCAG 2.1 A and AA rules): no
 * serious or critical violation. The chain has blocks, a confirmed payment with a memo and a
 * pending one, so the explorer's pages and the mempool have content to check, not empty states.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from './fixtures.ts';

test.describe.configure({ timeout: 180_000 });

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`);
}

test('behavior: every view passes axe-core with no serious violation, in light and dark themes and in Chinese', async ({ page }) => {
  await page.goto('/?network=regtest');
  await page.evaluate(() => window.tabchain.ready());
  await page.evaluate(() => window.tabchain.mine(6));
  const address = await page.evaluate(() => window.tabchain.wallet.newAddress());
  const paid = await page.evaluate((to) => window.tabchain.send({ to, amount: '150000000', memo: 'for the explorer' }), address);
  const [blockHash] = await page.evaluate(() => window.tabchain.mine(1));
  await page.evaluate((to) => window.tabchain.send({ to, amount: '50000000' }), address);

  const views: [string, string][] = [
    ['wallet', '#/wallet'],
    ['mining', '#/mining'],
    ['network', '#/network'],
    ['explorer', '#/explorer'],
    ['block page', `#/explorer/block/${blockHash}`],
    ['tx page', `#/explorer/tx/${paid.txid}`],
    ['address page', `#/explorer/address/${address}`],
    ['mempool', '#/mempool'],
  ];
  const found: string[] = [];
  for (const theme of ['light', 'dark'] as const) {
    await page.getByLabel('Theme').selectOption(theme);
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    for (const [name, hash] of views) {
      await page.evaluate((h) => (location.hash = h), hash);
      await expect(page.locator('main h2').first()).toBeVisible();
      // Let live data (peers, charts, pages loaded on navigation) settle before the check.
      await page.waitForTimeout(600);
      for (const v of await seriousViolations(page)) found.push(`${theme} ${name}: ${v}`);
    }
  }
  await page.getByLabel('Language').selectOption('zh');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  for (const [name, hash] of views) {
    await page.evaluate((h) => (location.hash = h), hash);
    await page.waitForTimeout(400);
    for (const v of await seriousViolations(page)) found.push(`zh ${name}: ${v}`);
  }
  expect(found).toEqual([]);
});

test('behavior: the main network\'s first run (create or restore a wallet, with the strength meter) passes axe-core in both themes', async ({ page }) => {
  await page.goto('/?network=main&maxPeers=0#/wallet');
  await page.evaluate(() => window.tabchain.ready());
  const create = page.getByRole('region', { name: 'Create your wallet' });
  await expect(create).toBeVisible();
  await create.getByLabel('New passphrase', { exact: true }).fill('correct horse');
  await expect(create.getByTestId('passphrase-strength')).toBeVisible();
  await create.getByLabel('Confirm passphrase', { exact: true }).focus();
  const found: string[] = [];
  for (const theme of ['light', 'dark'] as const) {
    await page.getByLabel('Theme').selectOption(theme);
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    for (const v of await seriousViolations(page)) found.push(`${theme}: ${v}`);
  }
  expect(found).toEqual([]);
});
