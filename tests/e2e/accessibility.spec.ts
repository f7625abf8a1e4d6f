/**
 * Every view, in the light theme and in Chinese, checked by axe-core (WCAG 2.1 A and AA rules), and
 * in the dark theme by its colour rules: no serious or critical violation. The chain has blocks, a
 * confirmed payment with a memo and a pending one, so the explorer's pages and the mempool have
 * content to check, not empty states.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from './fixtures.ts';

test.describe.configure({ timeout: 180_000 });

/**
 * What changes between the looks: colours between the themes (the dark theme is checked for the
 * colour rules alone, its markup being the light theme's); in Chinese every rule (names, labels,
 * lang and contrast all change with the text).
 */
const COLOUR_RULES = ['color-contrast', 'link-in-text-block'];

async function seriousViolations(page: Page, rules?: readonly string[]): Promise<string[]> {
  const axe = new AxeBuilder({ page });
  const results = await (rules ? axe.withRules([...rules]) : axe.withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`);
}

/**
 * Waits until the view has drawn what it loads on navigation (pages read from the chain, charts,
 * peers): the main region reads the same twice in a row.
 */
async function settled(page: Page): Promise<void> {
  let last = '';
  await expect
    .poll(
      async () => {
        const now = await page.locator('main').innerHTML();
        const same = now === last;
        last = now;
        return same;
      },
      { intervals: [250], timeout: 30_000 },
    )
    .toBe(true);
}

/** A chain with blocks, a confirmed payment with a memo and a pending one; the views to check. */
async function viewsWithContent(page: Page): Promise<[string, string][]> {
  await page.goto('/?network=regtest');
  await page.evaluate(() => window.tabchain.ready());
  await page.evaluate(() => window.tabchain.mine(6));
  const address = await page.evaluate(() => window.tabchain.wallet.newAddress());
  const paid = await page.evaluate((to) => window.tabchain.send({ to, amount: '150000000', memo: 'for the explorer' }), address);
  const [blockHash] = await page.evaluate(() => window.tabchain.mine(1));
  await page.evaluate((to) => window.tabchain.send({ to, amount: '50000000' }), address);
  return [
    ['wallet', '#/wallet'],
    ['mining', '#/mining'],
    ['network', '#/network'],
    ['explorer', '#/explorer'],
    ['block page', `#/explorer/block/${blockHash}`],
    ['tx page', `#/explorer/tx/${paid.txid}`],
    ['address page', `#/explorer/address/${address}`],
    ['mempool', '#/mempool'],
  ];
}

// One test per look, so each stays well inside its time on a busy machine (24 analyses in one
// test took 2.5 to 3 minutes in CI).
for (const look of ['light', 'dark', 'zh'] as const) {
  const what = look === 'dark' ? "axe-core's colour rules" : 'axe-core';
  test(`behavior: every view passes ${what} with no serious violation (${look === 'zh' ? 'in Chinese' : `${look} theme`})`, async ({ page }) => {
    const views = await viewsWithContent(page);
    if (look === 'zh') {
      await page.getByLabel('Language').selectOption('zh');
      await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    } else {
      await page.getByLabel('Theme').selectOption(look);
      await expect(page.locator('html')).toHaveAttribute('data-theme', look);
    }
    const found: string[] = [];
    for (const [name, hash] of views) {
      await page.evaluate((h) => (location.hash = h), hash);
      await expect(page.locator('main h2').first()).toBeVisible();
      await settled(page);
      for (const v of await seriousViolations(page, look === 'dark' ? COLOUR_RULES : undefined)) found.push(`${look} ${name}: ${v}`);
    }
    expect(found).toEqual([]);
  });
}

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
