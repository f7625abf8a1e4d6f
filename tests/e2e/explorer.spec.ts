/**
 * The explorer (issue "App UI"), driven as a person would: the search box, links between block,
 * tx and address pages, the charts, and a reorganization. The API only sets the chain up
 * (mining, a payment, raw blocks of a longer branch). Tabs are isolated (`maxPeers=0`) so each
 * keeps its own chain.
 */
import { expect, test, type Page } from './fixtures.ts';
import { bytesToHex, encodeAddress, encodeBlock, formatCoins, regtestParams } from '../../src/core/index.ts';
import { ChainBuilder, testKey } from '../../src/core/testing/chain-builder.ts';

test.describe.configure({ timeout: 90_000 });

const short = (hash: string, head = 8, tail = 4) => `${hash.slice(0, head)}…${hash.slice(-tail)}`;

async function open(page: Page): Promise<void> {
  await page.goto('/?network=regtest&maxPeers=0');
  await page.evaluate(() => window.tabchain.ready());
}

async function search(page: Page, text: string): Promise<void> {
  await page.getByLabel('Search the chain', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
}

test('behavior: latest blocks, search by height, a block, its payment with fee and memo, the address paid, and the charts', async ({ page }) => {
  await open(page);
  await page.evaluate(() => window.tabchain.mine(6));
  const to = encodeAddress(testKey(2).publicKey, regtestParams.addressPrefix);
  const memo = '<b>rent</b> & "co"';
  const paid = await page.evaluate(([address, text]) => window.tabchain.send({ to: address!, amount: '150000000', memo: text! }), [to, memo]);
  const [blockHash] = await page.evaluate(() => window.tabchain.mine(1));

  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Explorer' }).click();
  const latest = page.getByTestId('latest-blocks');
  await expect(latest.locator('tbody tr')).toHaveCount(8);
  await expect(latest.locator('tbody tr').first()).toContainText('7');
  await expect(latest.locator('tbody tr').first()).toContainText(short(blockHash!));
  await expect(latest.locator('tbody tr').first().locator('td').nth(3)).toHaveText('2');

  // Charts: difficulty and block intervals; regtest has no target spacing to show beside them.
  await expect(page.getByRole('img', { name: /Difficulty of the last \d+ blocks/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /Seconds between each of the last \d+ blocks/ })).toBeVisible();
  await expect(page.getByTestId('explorer-target-spacing')).toContainText('No target spacing: a fixed difficulty');

  // Search by height: the block page.
  await search(page, '7');
  await expect(page).toHaveURL(/#\/explorer\/block\/7$/);
  await expect(page.getByRole('heading', { name: 'Block 7' })).toBeVisible();
  const fields = page.getByTestId('explorer-block-fields');
  await expect(fields).toContainText(blockHash!);
  await expect(page.getByTestId('explorer-block-confirmations')).toHaveText('1');
  await expect(fields).toContainText('Merkle root');
  await expect(fields).toContainText('hashes per block');
  await expect(page.getByTestId('explorer-next-block')).toHaveCount(0);
  const txs = page.getByTestId('explorer-block-txs');
  await expect(txs.locator('tbody tr')).toHaveCount(2);
  await expect(txs.locator('tbody tr').first()).toContainText('new coins');
  await expect(txs.locator('tbody tr').nth(1)).toContainText(formatCoins(BigInt(paid.fee)));

  // The payment: outputs, fee and memo (as text, not markup).
  await txs.getByRole('link', { name: short(paid.txid, 12, 6) }).click();
  await expect(page).toHaveURL(new RegExp(`#/explorer/tx/${paid.txid}$`));
  await expect(page.getByTestId('explorer-txid')).toHaveText(paid.txid);
  await expect(page.getByTestId('explorer-tx-status')).toContainText('Confirmed in block 7 · 1 confirmation');
  await expect(page.getByTestId('explorer-tx-fee')).toHaveText(`${formatCoins(BigInt(paid.fee))} coins`);
  await expect(page.getByTestId('explorer-tx-memo')).toHaveText(memo);
  await expect(page.getByTestId('explorer-tx-memo').locator('b')).toHaveCount(0);
  const inputs = page.getByTestId('explorer-tx-inputs');
  await expect(inputs.locator('tbody tr').first()).toContainText('50');
  const outputs = page.getByTestId('explorer-tx-outputs');
  await expect(outputs.getByRole('row').filter({ hasText: to })).toContainText('1.5');

  // The address paid: its balance and history.
  await outputs.getByRole('link', { name: to }).click();
  await expect(page).toHaveURL(new RegExp(`#/explorer/address/${to}$`));
  await expect(page.getByTestId('explorer-address-confirmed')).toHaveText('1.5');
  const history = page.getByTestId('explorer-address-history');
  await expect(history.locator('tbody tr')).toHaveCount(1);
  await expect(history.locator('tbody tr').first()).toContainText(short(paid.txid, 12, 6));
  await expect(history.locator('tbody tr').first()).toContainText('+1.5');
  await expect(page.getByTestId('explorer-address-history-note')).toHaveText('All 1 transactions, newest first.');

  // Back: the previous block link walks down the chain.
  await search(page, blockHash!);
  await expect(page.getByRole('heading', { name: 'Block 7' })).toBeVisible();
  await page.getByTestId('explorer-prev-block').click();
  await expect(page.getByRole('heading', { name: 'Block 6' })).toBeVisible();
  await expect(page.getByTestId('explorer-next-block')).toBeVisible();
});

test('error: the search box says why nothing was found', async ({ page }) => {
  await open(page);
  await page.evaluate(() => window.tabchain.mine(1));
  await page.goto('/?network=regtest&maxPeers=0#/explorer');
  const message = page.getByTestId('explorer-search-message');

  await search(page, 'hello');
  await expect(message).toHaveText('Not a block height, block hash, transaction id or address.');
  await expect(page.getByLabel('Search the chain', { exact: true })).toHaveAttribute('aria-invalid', 'true');

  await search(page, '999');
  await expect(message).toHaveText('There is no block at height 999 yet: the chain is at height 1.');

  await search(page, 'ab'.repeat(32));
  await expect(message).toHaveText('No block or transaction with this hash is known to this node.');

  const address = encodeAddress(testKey(2).publicKey, regtestParams.addressPrefix);
  const typo = address.slice(0, -1) + (address.endsWith('q') ? 'p' : 'q');
  await search(page, typo);
  await expect(message).toContainText('not a valid address');
  await expect(message).toContainText('typo');

  await search(page, encodeAddress(testKey(2).publicKey, 'tab'));
  await expect(message).toContainText('another network');
  await expect(page).toHaveURL(/#\/explorer$/);

  // A page for something unknown says so.
  await page.goto(`/?network=regtest&maxPeers=0#/explorer/tx/${'cd'.repeat(32)}`);
  await expect(page.getByTestId('explorer-not-found')).toContainText('No transaction');
  await page.goto('/?network=regtest&maxPeers=0#/explorer/block/999');
  await expect(page.getByTestId('explorer-not-found')).toContainText('No block “999”');
});

test('behavior: a longer branch replaces two blocks: the explorer shows the reorganization, the chain tips and the replaced block off the active chain', async ({ page }) => {
  await open(page);
  const mined = await page.evaluate(() => window.tabchain.mine(2));
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Explorer' }).click();
  await expect(page.getByTestId('latest-blocks').locator('tbody tr')).toHaveCount(3);
  await expect(page.getByText('No reorganization since this page was opened.')).toBeVisible();

  // Another miner's branch of four blocks from genesis arrives (as raw blocks).
  const builder = new ChainBuilder(regtestParams, { firstBlockTime: Math.floor(Date.now() / 1000) - 600 });
  const branch = builder.extend(builder.genesis, 4);
  const outcomes = await page.evaluate((hexes) => window.tabchain.chain.submitBlocks(hexes), branch.map((b) => bytesToHex(encodeBlock(b.block))));
  expect(outcomes.map((o) => o.status)).toEqual(['connected', 'connected', 'connected', 'connected']);

  const reorgs = page.getByTestId('explorer-reorgs');
  await expect(reorgs).toContainText('Reorganization at height 1: 2 blocks replaced');
  await expect(page.getByTestId('latest-blocks').locator('tbody tr')).toHaveCount(5);
  const tips = page.getByTestId('explorer-tips');
  await expect(tips.getByRole('row').filter({ hasText: 'active' })).toContainText(short(branch[3]!.hash));
  await expect(tips.getByRole('row').filter({ hasText: 'valid fork' })).toContainText(short(mined[1]!));

  await reorgs.getByRole('link', { name: short(mined[1]!) }).click();
  await expect(page.getByRole('heading', { name: 'Block 2' })).toBeVisible();
  await expect(page.getByTestId('explorer-off-chain')).toHaveText('Not on the active chain: 0 confirmations.');
  await expect(page.getByTestId('explorer-block-confirmations')).toHaveText('0');
});
