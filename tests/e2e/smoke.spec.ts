import { expect, test } from './fixtures.ts';

test('behavior: the app shell opens with its title and the default network', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page).toHaveTitle('tabchain');
  await expect(page.getByRole('heading', { name: 'tabchain' })).toBeVisible();
  await expect(page.getByTestId('network')).toHaveText('main');
  await expect(page.getByTestId('genesis')).toHaveText(/^[0-9a-f]{64}$/);
  expect(errors).toEqual([]);
});

test('behavior: ?network=regtest selects regtest', async ({ page }) => {
  await page.goto('/?network=regtest');
  await expect(page.getByTestId('network')).toHaveText('regtest');
});

test('behavior: ?network=test joins the public test network, named with its real spacing; tabchain.params() says the same; regtest claims no spacing', async ({ page }) => {
  await page.goto('/?network=test');
  const badge = page.getByTestId('network');
  await expect(badge).toHaveText('test');
  await expect(badge).toHaveAttribute('title', /every 2 s/);
  expect(await page.evaluate(() => window.tabchain.params())).toEqual({ name: 'test', targetSpacing: 2, coinbaseMaturity: 30, addressPrefix: 'ttab' });
  // The Mining view and the explorer's interval chart name the spacing the retarget aims at…
  await page.evaluate(() => (location.hash = '#/mining'));
  await expect(page.getByTestId('target-spacing')).toHaveText('one block every 2 s');
  await page.evaluate(() => (location.hash = '#/explorer'));
  await expect(page.getByTestId('explorer-target-spacing')).toContainText('Target spacing: 2 s');

  await page.goto('/?network=regtest');
  await expect(badge).toHaveAttribute('title', /not a public network/);
  expect(await page.evaluate(() => window.tabchain.params())).toEqual({ name: 'regtest', targetSpacing: 2, coinbaseMaturity: 5, addressPrefix: 'rtab' });
  // …which regtest has none of: its blocks come as fast as they are mined.
  await page.evaluate(() => (location.hash = '#/mining'));
  await expect(page.getByTestId('target-spacing')).toHaveText('none: a fixed difficulty, a block as fast as one is mined');
  await page.evaluate(() => (location.hash = '#/explorer'));
  await expect(page.getByTestId('explorer-target-spacing')).toContainText('No target spacing: a fixed difficulty');
  await expect(page.getByTestId('explorer-target-spacing')).not.toContainText('Target spacing: 2 s');
});
