/**
 * The mining view (issue "App UI"), driven by clicks: choose the workers, start, watch the
 * hashrate (and that the workers hash with WebAssembly SIMD), its chart over a chosen range and
 * the blocks found, stop. The API is used only to wait for the node to start and to read the
 * miner's kernel.
 */
import { expect, test } from './fixtures.ts';

test.describe.configure({ timeout: 60_000 });

test('behavior: the mining view starts and stops the miner and shows its rate over a chosen range, difficulty, time to a block and finds', async ({ browser }) => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto('/?network=regtest');
    await page.getByRole('navigation').getByRole('link', { name: 'Mining' }).click();
    await page.evaluate(() => window.tabchain.ready());

    const card = page.getByRole('region', { name: 'Mining' });
    const status = page.getByTestId('mining-status');
    await expect(status).toHaveText(/Not mining/);
    await expect(card.getByTestId('difficulty')).toHaveText(/^≈ [\d.]+ ?[kMGT]? hashes per block$/);
    await expect(card.getByTestId('target-spacing')).toHaveText('none: a fixed difficulty, a block as fast as one is mined');
    await expect(card.getByTestId('blocks-found')).toHaveText('Blocks found by this tab: 0');
    await expect(card.getByTestId('expected-time')).toHaveText('Start mining to see an estimate');
    await expect(card.getByRole('button', { name: 'Mine one block' })).toBeVisible();

    await card.getByLabel('Workers').fill('1');
    await card.getByRole('button', { name: 'Start mining' }).click();
    await expect(status).toHaveText(/Mining with 1 worker\b/);
    await expect(card.getByTestId('hashrate')).toHaveText(/^(?!0 H\/s)[\d.]+ (H|kH|MH)\/s$/, { timeout: 10_000 });
    // The workers run the WebAssembly SIMD kernel: the page's own security policy lets them
    // compile it ('wasm-unsafe-eval'), and the view says so.
    await expect(card.getByTestId('miner-kernel')).toHaveText('Hashing with WebAssembly SIMD, four nonces at a time');
    expect((await page.evaluate(() => window.tabchain.miner.status())).kernel).toBe('wasm-simd');
    const chart = card.getByTestId('hashrate-chart').getByRole('img');
    await expect(chart).toHaveAttribute('aria-label', /^Hashrate over the last minute, latest [\d.]+ (H|kH|MH)\/s$/);
    await expect(card.getByTestId('expected-time')).toHaveText(/^(≈ [\d.]+ (second|minute|hour|day|year)s?|under a second) on average at this hashrate$/);
    await expect(card.getByTestId('reward-address')).toHaveText(/^rtab1/);
    await expect(card.getByTestId('blocks-found')).toHaveText(/Blocks found by this tab: [1-9]\d*/, { timeout: 30_000 });


    // The range switch picks how far back the chart goes.
    await card.getByRole('radio', { name: '10 min' }).check();
    await expect(chart).toHaveAttribute('aria-label', /^Hashrate over the last 10 minutes, /);
    await card.getByRole('radio', { name: '1 h' }).check();
    await expect(chart).toHaveAttribute('aria-label', /^Hashrate over the last hour, /);
    await expect(card.getByRole('radio', { name: '1 min' })).not.toBeChecked();
    await card.getByRole('radio', { name: '1 min' }).check();
    await expect(chart).toHaveAttribute('aria-label', /^Hashrate over the last minute, /);

    await card.getByRole('button', { name: 'Stop mining' }).click();
    await expect(status).toHaveText(/Not mining/);
    await expect(card.getByRole('button', { name: 'Start mining' })).toBeVisible();
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
});

test('behavior: "Use the GPU (WebGPU)" is off by default and remembered; without an adapter (this browser runs with --disable-gpu) the workers hash on the CPU', async ({ browser }) => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto('/?network=regtest');
    await page.getByRole('navigation').getByRole('link', { name: 'Mining' }).click();
    await page.evaluate(() => window.tabchain.ready());
    const card = page.getByRole('region', { name: 'Mining' });
    const gpu = card.getByRole('checkbox', { name: 'Use the GPU (WebGPU)' });
    await expect(gpu).not.toBeChecked();
    expect((await page.evaluate(() => window.tabchain.miner.status())).gpu).toBe(false);

    await gpu.check();
    await card.getByLabel('Workers').fill('1');
    await card.getByRole('button', { name: 'Start mining' }).click();
    await expect(card.getByTestId('mining-status')).toHaveText(/Mining with 1 worker\b/);
    await expect(gpu).toBeDisabled();
    // Asked for, but no adapter here: the worker searches with the SIMD kernel instead.
    await expect(card.getByTestId('miner-kernel')).toHaveText('Hashing with WebAssembly SIMD, four nonces at a time', { timeout: 10_000 });
    expect(await page.evaluate(() => window.tabchain.miner.status())).toMatchObject({ gpu: true, kernel: 'wasm-simd' });
    await card.getByRole('button', { name: 'Stop mining' }).click();

    // Kept in localStorage for the next start (the node worker gets it in its start message).
    expect(await page.evaluate(() => localStorage.getItem('tabchain-miner-gpu'))).toBe('on');
    await page.reload();
    await page.evaluate(() => window.tabchain.ready());
    await page.getByRole('navigation').getByRole('link', { name: 'Mining' }).click();
    await expect(page.getByRole('region', { name: 'Mining' }).getByRole('checkbox', { name: 'Use the GPU (WebGPU)' })).toBeChecked();
    await page.evaluate(() => window.tabchain.miner.start({ gpu: false, workers: 1 }));
    expect(await page.evaluate(() => localStorage.getItem('tabchain-miner-gpu'))).toBe('off');
    await page.evaluate(() => window.tabchain.miner.stop());
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
});
