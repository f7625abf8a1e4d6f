/**
 * The wallet card (issue "App UI"), driven as a person would: typing in the send form, reading
 * the page. The API is used only to set up (mining) and to check that nothing was sent.
 */
import { expect, openTestTab, test } from './fixtures.ts';

test.describe.configure({ timeout: 60_000 });

const tab = openTestTab;

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

test('error: the send form explains a mistyped address and an amount above the balance, and sends nothing', async ({ browser }) => {
  const a = await tab(browser);
  const { page } = a;
  await page.evaluate(() => window.tabchain.mine(6));
  await expect(page.getByTestId('balance-confirmed')).toHaveText('100');

  const address = (await page.getByTestId('address').textContent())!.trim();
  expect(address).toMatch(/^rtab1/);
  const last = address.at(-1)!;
  const typo = address.slice(0, -1) + (BECH32[(BECH32.indexOf(last) + 1) % BECH32.length] ?? 'q');

  const payTo = page.getByLabel('Pay to');
  const amount = page.getByLabel('Amount');
  const send = page.getByRole('button', { name: 'Send' });

  await payTo.fill(typo);
  await expect(page.getByText('The address has a typo (checksum does not match)')).toBeVisible();
  await expect(payTo).toHaveAttribute('aria-invalid', 'true');
  await expect(send).toBeDisabled();

  await payTo.fill('hello');
  await expect(page.getByText('This is not a tabchain address')).toBeVisible();

  await payTo.fill(address);
  await expect(payTo).toHaveAttribute('aria-invalid', 'false');
  await amount.fill('1.123456789');
  await expect(page.getByText('Enter an amount in coins, like 1.5')).toBeVisible();
  await amount.fill('100000');
  await expect(page.getByText('Amount is above your balance available to spend')).toBeVisible();
  await expect(send).toBeDisabled();

  await page.getByLabel('Memo').fill('x'.repeat(81));
  await expect(page.getByText('Memo is too long')).toBeVisible();
  await page.getByLabel('Memo').fill('');
  await amount.fill('1.5');
  await expect(send).toBeEnabled();

  expect(await page.evaluate(() => window.tabchain.mempool())).toEqual([]);
  await a.context.close();
});

test('behavior: A pays B 1.5 coins through the form; B sees it pending, then confirmed once mined', async ({ browser }) => {
  const a = await tab(browser);
  const b = await tab(browser);
  await expect
    .poll(async () => (await a.page.evaluate(() => window.tabchain.peers())).some((p) => p.state === 'ready'), { timeout: 30_000 })
    .toBe(true);
  await a.page.evaluate(() => window.tabchain.mine(6));
  await expect(a.page.getByTestId('balance-confirmed')).toHaveText('100');

  const addressB = (await b.page.getByTestId('address').textContent())!.trim();
  expect(addressB).toMatch(/^rtab1/);

  await a.page.getByLabel('Pay to').fill(addressB);
  await a.page.getByLabel('Amount').fill('1.5');
  await a.page.getByLabel('Memo').fill('lunch');
  await a.page.getByRole('radio', { name: /Fast/ }).check();
  await a.page.getByRole('button', { name: 'Send' }).click();

  const status = a.page.getByRole('status').filter({ hasText: 'Sent:' });
  await expect(status).toBeVisible();
  const txid = (await a.page.getByTestId('sent-txid').getAttribute('data-txid'))!;
  expect(txid).toMatch(/^[0-9a-f]{64}$/);
  await expect(a.page.getByLabel('Pay to')).toHaveValue('');
  await expect(a.page.getByLabel('Amount')).toHaveValue('');

  const entryB = b.page.getByTestId('history-entry').filter({ hasText: txid.slice(0, 8) });
  await expect(entryB).toContainText('+1.5', { timeout: 30_000 });
  await expect(entryB).toContainText('pending');
  await expect(entryB).toContainText('lunch');
  await expect(entryB.getByRole('link')).toHaveAttribute('href', `#/explorer/tx/${txid}`);
  // The payer's entry says it went out with a sign, not only a colour (amount plus fee).
  await expect(a.page.getByTestId('history-entry').filter({ hasText: txid.slice(0, 8) })).toContainText('−1.5');

  await a.page.evaluate(() => window.tabchain.mine(1));
  await expect(b.page.getByTestId('balance-confirmed')).toHaveText('1.5', { timeout: 30_000 });
  await expect(entryB).toContainText('1 confirmation');
  await expect(entryB).not.toContainText('pending');

  await a.context.close();
  await b.context.close();
});

test('behavior: a locked wallet asks for its passphrase instead of showing the send form', async ({ browser }) => {
  const a = await tab(browser);
  const { page } = a;
  await page.evaluate(async () => {
    await window.tabchain.wallet.setPassphrase('correct horse');
    await window.tabchain.wallet.lock();
  });
  const unlock = page.getByRole('button', { name: 'Unlock' });
  await expect(unlock).toBeVisible();
  await expect(page.getByLabel('Pay to')).toHaveCount(0);

  await page.getByLabel('Passphrase', { exact: true }).fill('wrong');
  await unlock.click();
  await expect(page.getByRole('alert')).toBeVisible();
  await page.getByLabel('Passphrase', { exact: true }).fill('correct horse');
  await unlock.click();
  await expect(page.getByLabel('Pay to')).toBeVisible();
  expect(await page.evaluate(() => window.tabchain.wallet.locked())).toBe(false);
  await a.context.close();
});
