/**
 * The first story, as a person would live it in two browsers: a new wallet, mining from
 * the Mining view until the balance rises, a payment to the other browser through the send form,
 * seen pending and then confirmed on both sides, with the notices that go with it.
 */
import { expect, test, type Browser, type BrowserContext, type Page } from './fixtures.ts';

test.describe.configure({ timeout: 120_000 });

async function open(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/?network=regtest');
  await page.evaluate(() => window.tabchain.ready());
  return { context, page };
}

test('behavior: mine until the balance rises, pay a second browser through the form, see it pending then confirmed on both sides', async ({ browser }) => {
  const a = await open(browser);
  const b = await open(browser);
  await expect(b.page.getByTestId('peer-count')).toHaveText('1', { timeout: 30_000 });

  // A mines from the Mining view until it has spendable coins.
  const nav = a.page.getByRole('navigation');
  await nav.getByRole('link', { name: 'Mining' }).click();
  await a.page.getByRole('button', { name: 'Start mining' }).click();
  await expect(a.page.getByTestId('notice-block-found').first()).toBeVisible({ timeout: 30_000 });
  await nav.getByRole('link', { name: 'Wallet' }).click();
  await expect(a.page.getByTestId('balance-confirmed')).not.toHaveText('0', { timeout: 90_000 });
  await nav.getByRole('link', { name: 'Mining' }).click();
  await a.page.getByRole('button', { name: 'Stop mining' }).click();
  await expect(a.page.getByRole('button', { name: 'Start mining' })).toBeVisible();
  const height = Number(await a.page.getByTestId('height').textContent());
  await expect(b.page.getByTestId('height')).toHaveText(String(height), { timeout: 30_000 });

  // B shows its address; A pays it through the form.
  const addressB = (await b.page.getByTestId('address').textContent())!.trim();
  await nav.getByRole('link', { name: 'Wallet' }).click();
  await a.page.getByLabel('Pay to').fill(addressB);
  await a.page.getByLabel('Amount').fill('2.25');
  await a.page.getByLabel('Memo').fill('first payment');
  await a.page.getByRole('button', { name: 'Send' }).click();
  const txid = (await a.page.getByTestId('sent-txid').getAttribute('data-txid'))!;
  expect(txid).toMatch(/^[0-9a-f]{64}$/);

  const entryA = a.page.getByTestId('history-entry').filter({ hasText: txid.slice(0, 8) });
  const entryB = b.page.getByTestId('history-entry').filter({ hasText: txid.slice(0, 8) });
  await expect(entryA).toContainText('pending');
  await expect(entryA).toContainText(/[−-]2\.25/);
  await expect(entryB).toContainText('pending', { timeout: 30_000 });
  await expect(entryB).toContainText('+2.25');
  await expect(b.page.getByTestId('notice-received')).toContainText('2.25');
  await expect(b.page.getByTestId('balance-pending-incoming')).toHaveText('2.25');

  // One more block from the Mining view confirms it on both sides.
  await nav.getByRole('link', { name: 'Mining' }).click();
  await a.page.getByRole('button', { name: 'Mine one block' }).click();
  await nav.getByRole('link', { name: 'Wallet' }).click();
  await expect(entryA).toContainText('1 confirmation', { timeout: 30_000 });
  await expect(entryB).toContainText('1 confirmation', { timeout: 30_000 });
  await expect(b.page.getByTestId('balance-confirmed')).toHaveText('2.25');
  await expect(entryB).not.toContainText('pending');

  await a.context.close();
  await b.context.close();
});
