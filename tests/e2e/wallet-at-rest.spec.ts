/**
 * The wallet at rest in a real Chromium profile (issue 12, part 1): after each wallet operation
 * (create, set a passphrase, restore, import a backup, lock) the browser is closed and every file
 * under its profile folder is scanned for the recovery phrase (its words in order, or its first
 * three) and its seed (hex). The test network's unencrypted wallet is the scan's positive
 * control: its phrase is found, in the origin-private file system only, never in IndexedDB.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { chromium, type BrowserContext, type Page } from '@playwright/test';
import { bytesToHex, mnemonicToSeed } from '../../src/core/index.ts';
import { CHROMIUM_ARGS, chromiumPath } from '../../scripts/chromium.ts';
import { expect, test } from './fixtures.ts';

const PASSPHRASE = 'correct horse battery staple';

/** Files of the profile (relative paths) that hold any of the phrases, or their seeds. */
function filesHolding(profile: string, phrases: string[]): string[] {
  const needles = phrases.flatMap((p) => [Buffer.from(p), Buffer.from(p.split(' ').slice(0, 3).join(' ')), Buffer.from(bytesToHex(mnemonicToSeed(p)))]);
  const hits: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      let stat;
      try {
        stat = statSync(path);
      } catch {
        continue; // a socket or a file removed meanwhile
      }
      if (stat.isDirectory()) walk(path);
      else if (stat.isFile() && needles.some((n) => readFileSync(path).includes(n))) hits.push(relative(profile, path));
    }
  };
  walk(profile);
  return hits;
}

class Profile {
  readonly dir = mkdtempSync(join(tmpdir(), 'tabchain-profile-'));
  context: BrowserContext | undefined;

  constructor(private readonly baseURL: string) {}

  async open(path: string): Promise<Page> {
    this.context = await chromium.launchPersistentContext(this.dir, { executablePath: chromiumPath(), args: CHROMIUM_ARGS, baseURL: this.baseURL });
    const page = this.context.pages()[0] ?? (await this.context.newPage());
    await page.goto(path);
    await page.evaluate(() => window.tabchain.ready());
    return page;
  }

  async close(): Promise<void> {
    await this.context?.close();
    this.context = undefined;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

test('behavior: on main the phrase is never on disk in the clear: create, lock, restore, import', async ({ baseURL }) => {
  test.setTimeout(180_000);
  const profile = new Profile(baseURL!);
  try {
    // Create: main has no wallet until the user chooses a passphrase.
    let page = await profile.open('/');
    await expect(page.getByRole('heading', { name: 'Create your wallet' })).toBeVisible();
    expect(await page.evaluate(() => window.tabchain.wallet.exists())).toBe(false);
    const create = page.getByRole('region', { name: 'Create your wallet' });
    await create.getByLabel('New passphrase', { exact: true }).fill('opensesame');
    await expect(create.getByTestId('passphrase-strength')).toHaveAttribute('data-level', 'weak');
    await create.getByLabel('New passphrase', { exact: true }).fill(PASSPHRASE);
    await create.getByLabel('Confirm passphrase', { exact: true }).fill(PASSPHRASE);
    await create.getByRole('button', { name: 'Create wallet' }).click();
    await expect(page.getByRole('heading', { name: 'Balance' })).toBeVisible();
    const first = await page.evaluate((p) => window.tabchain.wallet.backupPhrase(p), PASSPHRASE);
    const backup = await page.evaluate(() => window.tabchain.wallet.exportBackup('paper in a drawer'));
    await profile.close();
    expect(filesHolding(profile.dir, [first])).toEqual([]);

    // Lock.
    page = await profile.open('/');
    expect(await page.evaluate(() => window.tabchain.wallet.locked())).toBe(true);
    await page.evaluate((p) => window.tabchain.wallet.unlock(p), PASSPHRASE);
    await page.evaluate(() => window.tabchain.wallet.lock());
    await profile.close();
    expect(filesHolding(profile.dir, [first])).toEqual([]);

    // Restore another phrase (regtest's fresh one, read from a second page).
    page = await profile.open('/?network=regtest');
    const second = await page.evaluate(() => window.tabchain.wallet.backupPhrase());
    await profile.close();
    // The positive control: regtest's unencrypted phrase is found, in OPFS only.
    const found = filesHolding(profile.dir, [second]);
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((f) => f.includes('File System'))).toBe(true);
    page = await profile.open('/?network=regtest');
    await page.evaluate((p) => window.tabchain.wallet.setPassphrase(p), PASSPHRASE);
    await profile.close();
    expect(filesHolding(profile.dir, [first, second])).toEqual([]);

    page = await profile.open('/?network=main');
    await page.evaluate(({ phrase, passphrase }) => window.tabchain.wallet.restore(phrase, { replace: true, passphrase, keys: 3 }), { phrase: second, passphrase: PASSPHRASE });
    await profile.close();
    expect(filesHolding(profile.dir, [first, second])).toEqual([]);

    // Import the first wallet's backup file (sealed under the file's passphrase).
    page = await profile.open('/?network=main');
    await page.evaluate((b) => window.tabchain.wallet.importBackup(b, 'paper in a drawer', { replace: true }), backup);
    expect(await page.evaluate(() => window.tabchain.wallet.backupPhrase('paper in a drawer'))).toBe(first);
    await profile.close();
    expect(filesHolding(profile.dir, [first, second])).toEqual([]);
  } finally {
    await profile.close();
    profile.remove();
  }
});

test('behavior: an unencrypted test wallet shows a warning; setting a passphrase in the UI and locking leave no readable copy', async ({ baseURL }) => {
  test.setTimeout(120_000);
  const profile = new Profile(baseURL!);
  try {
    let page = await profile.open('/?network=regtest');
    await expect(page.getByTestId('plain-wallet-warning')).toBeVisible();
    const phrase = await page.evaluate(() => window.tabchain.wallet.backupPhrase());
    await profile.close();
    const found = filesHolding(profile.dir, [phrase]);
    expect(found.length).toBeGreaterThan(0);
    expect(found.filter((f) => !f.includes('File System'))).toEqual([]);

    page = await profile.open('/?network=regtest');
    await page.getByRole('button', { name: 'Set a passphrase' }).click();
    await page.getByLabel('New passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByLabel('Confirm passphrase', { exact: true }).fill(PASSPHRASE);
    await page.getByRole('button', { name: 'Save passphrase' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Passphrase set' })).toBeVisible();
    await expect(page.getByTestId('plain-wallet-warning')).toHaveCount(0);
    await profile.close();
    expect(filesHolding(profile.dir, [phrase])).toEqual([]);

    page = await profile.open('/?network=regtest');
    await page.evaluate((p) => window.tabchain.wallet.unlock(p), PASSPHRASE);
    await page.getByRole('button', { name: 'Lock now' }).click();
    await expect.poll(() => page.evaluate(() => window.tabchain.wallet.locked())).toBe(true);
    await profile.close();
    expect(filesHolding(profile.dir, [phrase])).toEqual([]);
  } finally {
    await profile.close();
    profile.remove();
  }
});
