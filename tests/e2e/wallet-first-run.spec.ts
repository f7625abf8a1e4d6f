/**
 * The main network's first run in the wallet view (issue 12, part 1): no wallet until one is
 * created, restored from a phrase or imported from a backup file, each under a passphrase; mining
 * is refused until then.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from './fixtures.ts';

const PHRASE = 'legal winner thank year wave sausage worth useful legal winner thank yellow';

async function openMain(page: Page): Promise<void> {
  await page.goto('/?network=main&maxPeers=0#/wallet');
  await page.evaluate(() => window.tabchain.ready());
  await expect(page.getByRole('region', { name: 'Create your wallet' })).toBeVisible();
}

test('behavior: restore from a phrase on main asks for a new passphrase and stores the wallet sealed', async ({ page }) => {
  await openMain(page);
  const mined = await page.evaluate(() => window.tabchain.mine(1).then(() => 'mined', (e: { code?: string }) => e.code));
  expect(mined).toBe('no-wallet');
  const restore = page.getByRole('region', { name: 'Restore from a recovery phrase' });
  await restore.getByLabel('Recovery phrase (12 or 24 words)').fill(PHRASE);
  const submit = restore.getByRole('button', { name: 'Restore wallet' });
  await expect(submit).toBeDisabled();
  await restore.getByLabel('New passphrase', { exact: true }).fill('a passphrase for main');
  await restore.getByLabel('Confirm passphrase', { exact: true }).fill('a passphrase for main');
  await submit.click();
  await expect(page.getByRole('heading', { name: 'Balance' })).toBeVisible();
  expect(await page.evaluate(() => window.tabchain.wallet.hasPassphrase())).toBe(true);
  await expect(page.getByTestId('plain-wallet-warning')).toHaveCount(0);
  expect(await page.evaluate(() => window.tabchain.wallet.backupPhrase('a passphrase for main'))).toBe(PHRASE);
});

test('behavior: a backup file imported on main is sealed under the file\'s passphrase', async ({ browser }) => {
  // A main backup file made in another profile through the API.
  const source = await browser.newContext();
  const a = await source.newPage();
  await a.goto('/?network=main&maxPeers=0');
  await a.evaluate(() => window.tabchain.ready());
  await a.evaluate(() => window.tabchain.wallet.create('the source passphrase'));
  const backup = await a.evaluate(() => window.tabchain.wallet.exportBackup('paper in a drawer'));
  const address = await a.evaluate(() => window.tabchain.wallet.address());
  const file = join(tmpdir(), `tabchain-wallet-main-${Date.now()}.json`);
  await writeFile(file, JSON.stringify(backup));

  const context = await browser.newContext();
  const page = await context.newPage();
  await openMain(page);
  const region = page.getByRole('region', { name: 'Encrypted backup file' });
  await expect(region.getByRole('button', { name: 'Export a backup file' })).toHaveCount(0);
  await region.getByRole('button', { name: 'Import a backup file' }).click();
  await region.getByLabel('Backup file', { exact: true }).setInputFiles(file);
  await region.getByLabel('Passphrase of the file', { exact: true }).fill('paper in a drawer');
  await region.getByRole('button', { name: 'Import backup' }).click();
  await expect(page.getByRole('heading', { name: 'Balance' })).toBeVisible();
  expect(await page.evaluate(() => window.tabchain.wallet.addresses())).toContain(address);
  expect(await page.evaluate(() => window.tabchain.wallet.hasPassphrase())).toBe(true);
  await page.evaluate(() => window.tabchain.wallet.lock());
  await page.evaluate(() => window.tabchain.wallet.unlock('paper in a drawer'));
  expect(await page.evaluate(() => window.tabchain.wallet.locked())).toBe(false);
});
