/**
 * The mempool view (issue "App UI"): payments wait there, highest fee rate first, with their size
 * and fee rate, and leave when a block takes them. The API sets up (mining, sending); the view is
 * read as a person would.
 */
import { expect, test, type Page } from './fixtures.ts';

test.describe.configure({ timeout: 60_000 });

interface Entry {
  txid: string;
  size: number;
  feeRate: string;
}

const mempool = (page: Page) => page.evaluate(async () => (await window.tabchain.mempool()) as Entry[]);

async function openMempool(page: Page): Promise<void> {
  await page.goto('/?network=regtest');
  await page.evaluate(() => window.tabchain.ready());
  await page.getByRole('navigation').getByRole('link', { name: 'Mempool' }).click();
}

test('behavior: a payment waits in the mempool view with its size and fee rate, and leaves when a block is mined', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openMempool(page);
  const view = page.getByRole('region', { name: 'Mempool' });
  await expect(view.getByText('No pending transactions')).toBeVisible();

  await page.evaluate(() => window.tabchain.mine(6));
  const to = await page.evaluate(() => window.tabchain.wallet.newAddress());
  const { txid } = await page.evaluate((address) => window.tabchain.send({ to: address, amount: '150000000', feeRate: '3' }), to);
  const [entry] = await mempool(page);
  expect(entry!.txid).toBe(txid);

  const rows = view.getByTestId('mempool-tx');
  await expect(rows).toHaveCount(1);
  await expect(view.getByText('No pending transactions')).toHaveCount(0);
  const row = rows.first();
  await expect(row.getByRole('link')).toHaveAttribute('href', `#/explorer/tx/${txid}`);
  await expect(row.getByRole('link')).toHaveAttribute('title', txid);
  await expect(row.getByTestId('mempool-size')).toHaveText(`${entry!.size} B`);
  await expect(row.getByTestId('mempool-fee-rate')).toHaveText(`${Number(entry!.feeRate)} units/B`);
  await expect(view.getByTestId('mempool-count')).toHaveText('1');
  await expect(view.getByTestId('mempool-bytes')).toHaveText(`${entry!.size} B`);
  await expect(view.getByTestId('mempool-rates')).toHaveText(`${Number(entry!.feeRate)} / ${Number(entry!.feeRate)} / ${Number(entry!.feeRate)} units/B`);

  await page.evaluate(() => window.tabchain.mine(1));
  await expect(view.getByText('No pending transactions')).toBeVisible();
  await expect(rows).toHaveCount(0);
  await expect(view.getByTestId('mempool-count')).toHaveText('0');
  expect(errors).toEqual([]);
});

test('behavior: the mempool view lists the highest fee rate first and charts the spread of rates', async ({ page }) => {
  await openMempool(page);
  const view = page.getByRole('region', { name: 'Mempool' });
  await page.evaluate(() => window.tabchain.mine(7));
  const to = await page.evaluate(() => window.tabchain.wallet.newAddress());
  const cheap = await page.evaluate((address) => window.tabchain.send({ to: address, amount: '100000000', feeRate: '1' }), to);
  const dear = await page.evaluate((address) => window.tabchain.send({ to: address, amount: '100000000', feeRate: '5' }), to);

  const rows = view.getByTestId('mempool-tx');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toHaveAttribute('data-txid', dear.txid);
  await expect(rows.nth(1)).toHaveAttribute('data-txid', cheap.txid);
  await expect(view.getByTestId('fee-histogram').getByRole('img')).toHaveAttribute('aria-label', /^Transactions by fee rate, from [\d.]+ to [\d.]+ units per byte$/);
});

test('behavior: the mempool and the tx page show what a payment pays beside its outputs total (change included), with units, and its memo', async ({ page, browser }) => {
  await openMempool(page);
  const other = await (await browser.newContext()).newPage();
  await other.goto('/?network=regtest');
  await other.evaluate(() => window.tabchain.ready());
  const to = await other.evaluate(() => window.tabchain.wallet.address());
  await page.evaluate(() => window.tabchain.mine(6));
  const { txid } = await page.evaluate((address) => window.tabchain.send({ to: address, amount: '1250000000', memo: 'rent <b>june</b>' }), to);
  const view = page.getByRole('region', { name: 'Mempool' });
  const row = view.locator(`[data-txid="${txid}"]`);
  await expect(row.getByTestId('mempool-paid')).toHaveText('12.5');
  // The outputs total is the payment plus the change back to this wallet (50 coins in, minus the fee).
  const total = Number(await row.getByTestId('mempool-amount').textContent());
  expect(total).toBeGreaterThan(49.99);
  expect(total).toBeLessThan(50);
  await expect(row.getByTestId('mempool-memo')).toHaveText('rent <b>june</b>');
  await expect(view.getByRole('columnheader', { name: 'Paid (coins)' })).toBeVisible();

  await row.getByRole('link').click();
  await expect(page.getByTestId('explorer-tx-paid')).toContainText('12.5 coins');
});
