/**
 * Locking like a wallet (issue 12, part 2): "Lock now" in one tab locks every tab of the wallet,
 * the wallet locks by itself after the chosen idle time, and revealing the phrase or changing the
 * passphrase asks for the current passphrase.
 */
import { expect, test, type Page } from './fixtures.ts';

const PASSPHRASE = 'correct horse battery staple';
const LONG = { timeout: 20_000 };

const locked = (page: Page) => page.evaluate(() => window.tabchain.wallet.locked());

async function openTab(page: Page): Promise<void> {
  await page.goto('/?network=regtest&maxPeers=0');
  await page.evaluate(() => window.tabchain.ready());
}

test('behavior: Lock now in one tab locks every tab of the wallet', async ({ context }) => {
  const a = await context.newPage();
  await openTab(a);
  await a.evaluate((p) => window.tabchain.wallet.setPassphrase(p), PASSPHRASE);
  const b = await context.newPage();
  await openTab(b);
  // A new tab of a sealed wallet opens locked; unlock both.
  expect(await locked(b)).toBe(true);
  await b.evaluate((p) => window.tabchain.wallet.unlock(p), PASSPHRASE);
  expect(await locked(a)).toBe(false);
  expect(await locked(b)).toBe(false);

  await a.getByRole('button', { name: 'Lock now' }).click();
  await expect.poll(() => locked(a), LONG).toBe(true);
  await expect.poll(() => locked(b), LONG).toBe(true);
  // The other tab no longer gives the phrase, even with the passphrase.
  const code = await b.evaluate((p) => window.tabchain.wallet.backupPhrase(p).then(() => 'shown', (e: { code?: string }) => e.code), PASSPHRASE);
  expect(code).toBe('locked');
  await expect(b.getByRole('button', { name: 'Unlock' })).toBeVisible(LONG);
});

test('behavior: the wallet locks by itself after the idle time, in every tab', async ({ context }) => {
  const a = await context.newPage();
  await openTab(a);
  await a.evaluate((p) => window.tabchain.wallet.setPassphrase(p), PASSPHRASE);
  // The setting offers 15 minutes by default.
  await expect(a.getByLabel('Lock by itself after')).toHaveValue(String(15 * 60));
  const b = await context.newPage();
  await openTab(b);
  await b.evaluate((p) => window.tabchain.wallet.unlock(p), PASSPHRASE);
  // Two seconds (the console's way to set any time; the menu offers 1 min to 1 hour, or never).
  await a.evaluate(() => localStorage.setItem('tabchain-auto-lock-seconds', '2'));
  await expect.poll(() => locked(a), LONG).toBe(true);
  await expect.poll(() => locked(b), LONG).toBe(true);
  // The menu's choice is kept for every tab ("never" is 0: see auto-lock.test.ts).
  await a.getByLabel('Lock by itself after').selectOption({ label: 'Never' });
  expect(await b.evaluate(() => localStorage.getItem('tabchain-auto-lock-seconds'))).toBe('0');
});

test('behavior: revealing the phrase and changing the passphrase ask for the current passphrase', async ({ page }) => {
  await openTab(page);
  await page.evaluate((p) => window.tabchain.wallet.setPassphrase(p), PASSPHRASE);
  await page.getByRole('button', { name: 'Show recovery phrase' }).click();
  const reveal = page.getByRole('button', { name: 'I understand, show the words' });
  await expect(reveal).toBeDisabled();
  await page.getByLabel('Current passphrase', { exact: true }).fill('not the passphrase');
  await reveal.click();
  await expect(page.getByRole('alert').filter({ hasText: 'Wrong passphrase' })).toBeVisible();
  await expect(page.getByTestId('recovery-words')).toHaveCount(0);
  await page.getByLabel('Current passphrase', { exact: true }).fill(PASSPHRASE);
  await reveal.click();
  await expect(page.getByTestId('recovery-words').getByRole('listitem')).toHaveCount(12);
  await page.getByRole('button', { name: 'Hide recovery phrase' }).click();

  await page.getByRole('button', { name: 'Change passphrase' }).click();
  const form = page.locator('form').filter({ hasText: 'Change passphrase' });
  await form.getByLabel('New passphrase', { exact: true }).fill('another fine passphrase');
  await form.getByLabel('Confirm passphrase', { exact: true }).fill('another fine passphrase');
  await expect(form.getByRole('button', { name: 'Save passphrase' })).toBeDisabled();
  await form.getByLabel('Current passphrase', { exact: true }).fill('wrong wrong wrong');
  await form.getByRole('button', { name: 'Save passphrase' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Wrong passphrase' })).toBeVisible();
  await form.getByLabel('Current passphrase', { exact: true }).fill(PASSPHRASE);
  await form.getByRole('button', { name: 'Save passphrase' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Passphrase changed' })).toBeVisible();
  await page.evaluate(() => window.tabchain.wallet.lock());
  expect(await page.evaluate(() => window.tabchain.wallet.unlock('another fine passphrase').then(() => 'ok'))).toBe('ok');
});
