/**
 * The mining card (issue "App UI"), driven by clicks: choose the workers, start, watch the
 * hashrate and the blocks found, stop. The API is used only to wait for the node to start.
 */
import { expect, test } from '@playwright/test';

test.describe.configure({ timeout: 60_000 });

test('behavior: the mining card starts and stops the miner and shows its rate, difficulty and finds', async ({ browser }) => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto('/?network=test');
    await page.getByRole('navigation').getByRole('link', { name: 'Mining' }).click();
    await page.evaluate(() => window.tabchain.ready());

    const card = page.getByRole('region', { name: 'Mining' });
    const status = page.getByTestId('mining-status');
    await expect(status).toHaveText(/Not mining/);
    await expect(card.getByTestId('difficulty')).toHaveText(/^≈ [\d.]+ ?[kMGT]? hashes per block$/);
    await expect(card.getByText('one block every 2 s')).toBeVisible();
    await expect(card.getByTestId('blocks-found')).toHaveText('Blocks found by this tab: 0');
    await expect(card.getByRole('button', { name: 'Mine one block' })).toBeVisible();

    await card.getByLabel('Workers').fill('1');
    await card.getByRole('button', { name: 'Start mining' }).click();
    await expect(status).toHaveText(/Mining with 1 worker\b/);
    await expect(card.getByTestId('hashrate')).toHaveText(/^(?!0 H\/s)[\d.]+ (H|kH|MH)\/s$/, { timeout: 10_000 });
    await expect(card.getByTestId('hashrate-sparkline')).toHaveAttribute('aria-label', /latest [\d.]+ (H|kH|MH)\/s/);
    await expect(card.getByTestId('blocks-found')).toHaveText(/Blocks found by this tab: [1-9]\d*/, { timeout: 30_000 });

    await card.getByRole('button', { name: 'Stop mining' }).click();
    await expect(status).toHaveText(/Not mining/);
    await expect(card.getByRole('button', { name: 'Start mining' })).toBeVisible();
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
});
