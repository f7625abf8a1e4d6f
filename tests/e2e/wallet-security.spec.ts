/**
 * The wallet's security and backup section, driven as a person would: reading the recovery
 * phrase off the page after its warning, restoring it in another browser profile, setting a
 * passphrase and locking, the restore form's checks, the QR code (decoded from a screenshot),
 * and an encrypted backup file going out of one profile and into another.
 */
import { readFile } from 'node:fs/promises';
import decodeQR from '@paulmillr/qr/decode.js';
import { expect, test, type Browser, type BrowserContext, type Locator, type Page } from './fixtures.ts';

test.describe.configure({ timeout: 90_000 });

interface Tab {
  context: BrowserContext;
  page: Page;
}

async function tab(browser: Browser, options: { deviceScaleFactor?: number } = {}): Promise<Tab> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  // The first visit's "Ready to work offline" notice may cover a button: dismiss it when it shows.
  await page.addLocatorHandler(page.getByTestId('offline-ready'), (notice) => notice.getByRole('button', { name: 'Dismiss' }).click());
  await page.goto('/?network=regtest');
  await page.evaluate(() => window.tabchain.ready());
  await expect(page.getByTestId('address')).toHaveText(/^rtab1/);
  return { context, page };
}

const address = async (page: Page) => (await page.getByTestId('address').textContent())!.trim();

/** Reads the recovery phrase from the page, through the warning. */
async function revealPhrase(page: Page): Promise<string[]> {
  await page.getByRole('button', { name: 'Show recovery phrase' }).click();
  await expect(page.getByText('Anyone who sees these words can take your coins.')).toBeVisible();
  await page.getByRole('button', { name: 'I understand, show the words' }).click();
  const list = page.getByTestId('recovery-words');
  await expect(list.getByRole('listitem')).toHaveCount(12);
  return list.locator('.word').allTextContents();
}

async function allAddresses(page: Page): Promise<Locator> {
  await page.getByText(/^All addresses/).click();
  return page.getByTestId('all-addresses');
}

// BIP39's first English test vector: a valid phrase nobody uses for real coins.
const VECTOR = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

test('behavior: the recovery phrase read off the page restores the same wallet in another browser', async ({ browser }) => {
  const a = await tab(browser);
  const addressA = await address(a.page);
  await a.page.evaluate(() => window.tabchain.mine(6));
  await expect(a.page.getByTestId('balance-confirmed')).toHaveText('100');

  const words = await revealPhrase(a.page);
  expect(words.every((w) => /^[a-z]+$/.test(w))).toBe(true);
  await a.page.getByRole('button', { name: 'Hide recovery phrase' }).click();
  await expect(a.page.getByTestId('recovery-words')).toHaveCount(0);

  const b = await tab(browser);
  await expect
    .poll(async () => (await b.page.evaluate(() => window.tabchain.chain.tip())).height, { timeout: 30_000 })
    .toBe(6);
  expect(await address(b.page)).not.toBe(addressA);
  await expect(b.page.getByTestId('balance-confirmed')).toHaveText('0');

  const phrase = b.page.getByLabel('Recovery phrase (12 or 24 words)');
  await phrase.fill(words.join(' '));
  await expect(phrase).toHaveAttribute('aria-invalid', 'false');
  // Without the tick, the other wallet is not replaced.
  await b.page.getByRole('button', { name: 'Restore wallet' }).click();
  await expect(b.page.getByRole('alert').filter({ hasText: 'This browser already has a different wallet' })).toBeVisible();
  await b.page.getByRole('form', { name: 'Restore from a recovery phrase' }).getByRole('checkbox', { name: 'I have a backup of the current wallet; replace it' }).check();
  await b.page.getByRole('button', { name: 'Restore wallet' }).click();
  await expect(b.page.getByRole('status').filter({ hasText: 'Wallet restored' })).toBeVisible();

  await expect((await allAddresses(b.page)).getByRole('listitem').filter({ hasText: addressA })).toHaveCount(1);
  await expect(b.page.getByTestId('balance-confirmed')).toHaveText('100', { timeout: 30_000 });

  await a.context.close();
  await b.context.close();
});

test('behavior: setting a passphrase (after a mismatch), locking, and unlocking again', async ({ browser }) => {
  const { context, page } = await tab(browser);
  await page.getByRole('button', { name: 'Set a passphrase' }).click();
  const first = page.getByLabel('New passphrase', { exact: true });
  const second = page.getByLabel('Confirm passphrase', { exact: true });
  const save = page.getByRole('button', { name: 'Save passphrase' });

  await first.fill('short');
  await second.focus();
  await expect(page.getByText('The passphrase is too short: use at least 10 characters.')).toBeVisible();
  // Long enough but easy to guess: the meter says weak and the form refuses it.
  await first.fill('password1234');
  await expect(page.getByTestId('passphrase-strength')).toHaveAttribute('data-level', 'weak');
  await expect(page.getByText('Too easy to guess')).toBeVisible();
  await expect(save).toBeDisabled();
  await first.fill('correct horse battery');
  await expect(page.getByTestId('passphrase-strength')).toHaveAttribute('data-level', 'strong');
  await second.fill('correct horse batery');
  await expect(page.getByText('The two passphrases do not match.')).toBeVisible();
  await expect(save).toBeDisabled();
  await second.fill('correct horse battery');
  await expect(page.getByText('The two passphrases do not match.')).toHaveCount(0);
  await save.click();
  await expect(page.getByRole('status').filter({ hasText: 'Passphrase set' })).toBeVisible();

  await page.getByRole('button', { name: 'Lock now' }).click();
  const unlock = page.getByRole('button', { name: 'Unlock' });
  await expect(unlock).toBeVisible();
  await expect(page.getByLabel('Pay to')).toHaveCount(0);
  expect(await page.evaluate(() => window.tabchain.wallet.locked())).toBe(true);

  // The recovery phrase needs the wallet unlocked.
  await page.getByRole('button', { name: 'Show recovery phrase' }).click();
  await page.getByLabel('Current passphrase', { exact: true }).fill('correct horse battery');
  await page.getByRole('button', { name: 'I understand, show the words' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'The wallet is locked' })).toBeVisible();
  await expect(page.getByTestId('recovery-words')).toHaveCount(0);

  await page.getByLabel('Passphrase', { exact: true }).fill('correct horse battery');
  await unlock.click();
  await expect(page.getByLabel('Pay to')).toBeVisible();
  expect(await page.evaluate(() => window.tabchain.wallet.locked())).toBe(false);
  await context.close();
});

test('error: the restore form names a wrong word, a wrong count and a bad checksum, and changes nothing', async ({ browser }) => {
  const { context, page } = await tab(browser);
  const before = await address(page);
  const addressesBefore = await page.evaluate(() => window.tabchain.wallet.addresses());
  const phrase = page.getByLabel('Recovery phrase (12 or 24 words)');
  const restore = page.getByRole('button', { name: 'Restore wallet' });

  await phrase.fill(VECTOR.replace(/about$/, 'bitcoin'));
  await expect(page.getByText('Not a recovery phrase word: bitcoin')).toBeVisible();
  await expect(phrase).toHaveAttribute('aria-invalid', 'true');
  await expect(restore).toBeDisabled();

  await phrase.fill(VECTOR.split(' ').slice(0, 11).join(' '));
  await expect(page.getByText('A recovery phrase has 12, 15, 18, 21 or 24 words; this one has 11.')).toBeVisible();
  await phrase.fill('abandon '.repeat(12).trim());
  await expect(page.getByText(/checksum mismatch/)).toBeVisible();
  await expect(restore).toBeDisabled();
  await page.getByRole('checkbox', { name: 'I have a backup of the current wallet; replace it' }).check();
  await expect(restore).toBeDisabled();

  expect(await address(page)).toBe(before);
  expect(await page.evaluate(() => window.tabchain.wallet.addresses())).toEqual(addressesBefore);
  await context.close();
});

test('behavior: the QR code shows the receive address, dark on light, in both themes', async ({ browser }) => {
  // Whole device pixels per module (no blurred module edges), so the scan of a screenshot is sure.
  const { context, page } = await tab(browser, { deviceScaleFactor: 2 });
  const shown = await address(page);
  const qr = page.getByRole('img', { name: 'QR code of your address' });
  await expect(qr).toBeVisible();
  expect(Number(await qr.getAttribute('data-modules'))).toBeGreaterThanOrEqual(25);

  /** What a scan of the code on screen reads (or why it cannot). */
  async function scan(): Promise<string> {
    const png = await qr.screenshot();
    // Turn the screenshot into pixels in a blank page (it can read PNGs; the app's own page may
    // not load a data: image under its Content-Security-Policy), then scan it here.
    const blank = await context.newPage();
    const image = await blank.evaluate(async (base64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${base64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      return { width: img.width, height: img.height, data: Array.from(ctx.getImageData(0, 0, img.width, img.height).data) };
    }, png.toString('base64'));
    await blank.close();
    try {
      return decodeQR({ ...image, data: new Uint8Array(image.data) });
    } catch (e) {
      return `unreadable: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  for (const theme of ['dark', 'light']) {
    await page.getByTestId('theme').selectOption(theme);
    // The theme's colours settle over a frame or two: scan until the code reads (a busy machine
    // may catch it mid-change), within a generous bound.
    await expect.poll(scan, { message: theme, timeout: 30_000 }).toBe(shown.toUpperCase());
  }

  await page.getByRole('button', { name: 'New address' }).click();
  await expect(page.getByTestId('address')).not.toHaveText(shown);
  await expect(qr).toHaveAttribute('data-text', (await address(page)).toUpperCase());
  await context.close();
});

test('behavior: an encrypted backup file exported in one browser is imported in another', async ({ browser }) => {
  const a = await tab(browser);
  const addressA = await address(a.page);
  await a.page.getByRole('button', { name: 'Export a backup file' }).click();
  await a.page.getByLabel('Passphrase for the file', { exact: true }).fill('paper in a drawer');
  await a.page.getByLabel('Confirm the file passphrase', { exact: true }).fill('paper in a drawer');
  const downloading = a.page.waitForEvent('download');
  await a.page.getByRole('button', { name: 'Download backup file' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('tabchain-wallet-regtest.json');
  const file = await download.path();
  const text = await readFile(file, 'utf8');
  expect(JSON.parse(text)).toMatchObject({ kind: 'tabchain-wallet-backup', network: 'regtest' });
  // Encrypted: the phrase is not in the file.
  expect(text).not.toContain(await a.page.evaluate(() => window.tabchain.wallet.backupPhrase()));
  await expect(a.page.getByRole('status').filter({ hasText: 'tabchain-wallet-regtest.json' })).toBeVisible();

  const b = await tab(browser);
  expect(await address(b.page)).not.toBe(addressA);
  await b.page.getByRole('button', { name: 'Import a backup file' }).click();
  await b.page.getByLabel('Backup file', { exact: true }).setInputFiles(file);
  const passphrase = b.page.getByLabel('Passphrase of the file', { exact: true });
  const importButton = b.page.getByRole('button', { name: 'Import backup' });

  await passphrase.fill('paper in a drawr');
  await importButton.click();
  await expect(b.page.getByRole('alert').filter({ hasText: 'Wrong passphrase for this file' })).toBeVisible();
  await passphrase.fill('paper in a drawer');
  await importButton.click();
  await expect(b.page.getByRole('alert').filter({ hasText: 'This browser already has a different wallet' })).toBeVisible();
  expect(await address(b.page)).not.toBe(addressA);

  await b.page.getByRole('form', { name: 'Import a backup file' }).getByRole('checkbox', { name: 'I have a backup of the current wallet; replace it' }).check();
  await importButton.click();
  await expect(b.page.getByRole('status').filter({ hasText: 'Backup imported' })).toBeVisible();
  await expect(b.page.getByTestId('address')).toHaveText(addressA);

  await a.context.close();
  await b.context.close();
});
