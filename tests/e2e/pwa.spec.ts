import { expect, test, type Page } from './fixtures.ts';

/** Waits until the page's service worker is active and controls the page (one reload if needed). */
async function waitForControl(page: Page): Promise<void> {
  const state = await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    return registration.active?.state ?? null;
  });
  expect(state === 'activating' || state === 'activated').toBe(true);
  const controlled = () => page.evaluate(() => navigator.serviceWorker.controller !== null);
  // The worker claims the tab that installed it; reload once where it has not (yet).
  const claimed = await expect.poll(controlled, { timeout: 3_000 }).toBe(true).then(
    () => true,
    () => false,
  );
  if (!claimed) {
    await page.reload();
    await expect.poll(controlled, { timeout: 10_000 }).toBe(true);
  }
}

test('behavior: the manifest is served with PNG icons and the service worker becomes active', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL });
  try {
    const response = await context.request.get('/manifest.webmanifest');
    expect(response.ok()).toBe(true);
    const manifest = (await response.json()) as {
      name: string;
      short_name: string;
      display: string;
      start_url: string;
      scope: string;
      icons: { src: string; sizes: string; type: string; purpose?: string }[];
    };
    expect(manifest).toMatchObject({ name: 'tabchain', short_name: 'tabchain', display: 'standalone', start_url: '/', scope: '/' });
    for (const size of ['192x192', '512x512']) {
      const icon = manifest.icons.find((i) => i.sizes === size && i.type === 'image/png' && (i.purpose ?? 'any') === 'any');
      expect(icon, size).toBeDefined();
      const image = await context.request.get(icon!.src);
      expect(image.ok(), icon!.src).toBe(true);
      expect(image.headers()['content-type']).toBe('image/png');
    }
    const maskable = manifest.icons.find((i) => i.purpose === 'maskable');
    expect(maskable).toMatchObject({ sizes: '512x512', type: 'image/png' });
    expect((await context.request.get(maskable!.src)).headers()['content-type']).toBe('image/png');
    const touch = await context.request.get('/apple-touch-icon.png');
    expect(touch.headers()['content-type']).toBe('image/png');

    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto('/');
    await expect(page.locator('link[rel="manifest"]')).toHaveAttribute('href', '/manifest.webmanifest');
    await expect(page.locator('link[rel="apple-touch-icon"]')).toHaveAttribute('href', '/apple-touch-icon.png');
    const active = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      return { state: registration.active?.state, script: registration.active?.scriptURL, scope: registration.scope };
    });
    expect(active.script).toMatch(/\/sw\.js$/);
    expect(active.scope).toBe(`${baseURL}/`);
    expect(['activating', 'activated']).toContain(active.state);
    // Installed on the first visit: the prompt says so once, and it can be dismissed.
    const offlineReady = page.getByRole('status').filter({ hasText: 'Ready to work offline' });
    await expect(offlineReady).toBeVisible();
    await offlineReady.getByRole('button', { name: 'Dismiss' }).click();
    await expect(offlineReady).toBeHidden();
    await expect(page.getByTestId('update-prompt')).toHaveCount(0);
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
});

test('behavior: offline, a reload serves the app from the cache; the wallet shows its balance and queues a payment that the next block confirms once back online', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto('/?network=regtest');
    await page.evaluate(() => window.tabchain.ready());
    await page.evaluate(() => window.tabchain.mine(6));
    const balance = await page.evaluate(() => window.tabchain.wallet.balance());
    const tip = await page.evaluate(() => window.tabchain.chain.tip());
    await expect(page.getByTestId('height')).toHaveText('6');
    const shown = await page.getByTestId('balance-confirmed').textContent();
    await waitForControl(page);

    await context.setOffline(true);
    const offline = await page.reload();
    expect(offline?.fromServiceWorker()).toBe(true);
    await expect(page.getByRole('heading', { name: 'tabchain', level: 1 })).toBeVisible();
    await expect(page.getByTestId('network')).toHaveText('regtest');
    await page.evaluate(() => window.tabchain.ready());
    expect(await page.evaluate(() => window.tabchain.chain.tip())).toEqual(tip);
    expect(await page.evaluate(() => window.tabchain.wallet.balance())).toEqual(balance);
    await expect(page.getByTestId('height')).toHaveText('6');
    await expect(page.getByTestId('balance-confirmed')).toHaveText(shown!);

    const { txid } = await page.evaluate(async () => window.tabchain.send({ to: await window.tabchain.wallet.newAddress(), amount: '100000000' }));
    expect(txid).toMatch(/^[0-9a-f]{64}$/);
    const pool = await page.evaluate(() => window.tabchain.mempool());
    expect(pool.map((t) => t.txid)).toContain(txid);

    await context.setOffline(false);
    await page.evaluate(() => window.tabchain.mine(1));
    await expect.poll(() => page.evaluate(() => window.tabchain.mempool().then((p) => p.length))).toBe(0);
    expect(await page.evaluate((id) => window.tabchain.chain.tx(id), txid)).toMatchObject({ txid, height: 7, confirmations: 1 });
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
});
