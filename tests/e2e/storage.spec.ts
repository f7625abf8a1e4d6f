import { expect, nodeWorker, test, type BrowserContext, type Page, type Worker } from './fixtures.ts';

async function openNode(context: BrowserContext, url = '/?network=regtest'): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.evaluate(() => window.tabchain.ready());
  return page;
}

test('behavior: a tab killed while it writes blocks leaves blocks, coins and tip that agree (G.39)', async ({ context }) => {
  const page = await openNode(context);
  await page.evaluate(() => window.tabchain.mine(6));
  // Mine flat out (a block write every few milliseconds), then close the tab in the middle of it.
  await page.evaluate(() => window.tabchain.miner.start({ workers: 1 }));
  await expect.poll(async () => (await page.evaluate(() => window.tabchain.chain.tip())).height, { timeout: 30_000 }).toBeGreaterThanOrEqual(20);
  await page.close({ runBeforeUnload: false });

  const next = await openNode(context);
  const check = await next.evaluate(() => window.tabchain.chain.verify());
  expect(check.problems).toEqual([]);
  expect(check.ok).toBe(true);
  expect(check.height).toBeGreaterThanOrEqual(20);
  // The node goes on from there.
  await next.evaluate(() => window.tabchain.mine(1));
  expect((await next.evaluate(() => window.tabchain.chain.verify())).ok).toBe(true);
});

/**
 * Chromium's CDP quota override (Storage.overrideQuotaForOrigin) is accepted but not applied in
 * headless Chromium here, so the quota error is injected where the browser raises it, in the
 * node's worker (where its IndexedDB is): a put into the chain's block bodies throws
 * QuotaExceededError while `__quotaFull` is set there. Everything else (the real IndexedDB
 * transaction, its abort, the node's handling) is the real thing.
 */
async function injectQuota(worker: Worker): Promise<void> {
  await worker.evaluate(() => {
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if ((globalThis as { __quotaFull?: boolean }).__quotaFull && this.name === 'bodies') {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
      return put.apply(this, args);
    };
  });
}

const setQuotaFull = (worker: Worker, full: boolean) => worker.evaluate((f: boolean) => ((globalThis as { __quotaFull?: boolean }).__quotaFull = f), full);

test('behavior: QuotaExceededError leaves the node consistent and says "storage full" (G.40)', async ({ context }) => {
  const page = await openNode(context);
  const worker = await nodeWorker(page);
  await injectQuota(worker);
  await page.evaluate(() => window.tabchain.mine(2));
  const tip = await page.evaluate(() => window.tabchain.chain.tip());
  await setQuotaFull(worker, true);
  const failure = await page.evaluate(() => window.tabchain.mine(50).then(() => 'mined', (e: Error) => e.name));
  expect(failure).toBe('StorageFullError');
  await expect(page.getByTestId('storage-full')).toBeVisible();
  expect((await page.evaluate(() => window.tabchain.storage())).full).toBe(true);
  const check = await page.evaluate(() => window.tabchain.chain.verify());
  expect(check.ok).toBe(true);
  expect(check.height).toBe(tip.height);
  expect(await page.evaluate(() => window.tabchain.chain.tip())).toEqual(tip);
  // With room again, the same node goes on.
  await setQuotaFull(worker, false);
  await page.evaluate(() => window.tabchain.mine(1));
  expect((await page.evaluate(() => window.tabchain.chain.verify())).ok).toBe(true);
});

test('behavior: a schema upgrade from another tab is not blocked; this tab asks to reload (G.41)', async ({ context }) => {
  const page = await openNode(context);
  const { database } = await page.evaluate(() => window.tabchain.storage());
  const other = await context.newPage();
  await other.goto('/health');
  const result = await other.evaluate(
    (name) =>
      new Promise<string>((resolve) => {
        const req = indexedDB.open(name, 1000);
        req.onblocked = () => resolve('blocked');
        req.onsuccess = () => {
          req.result.close();
          resolve('opened');
        };
        req.onerror = () => resolve(`error ${req.error?.name}`);
      }),
    database,
  );
  expect(result).toBe('opened');
  await expect(page.getByText('Reload this tab to continue')).toBeVisible();
});

test('behavior: cleared chain and wallet databases are noticed at start-up (G.42)', async ({ context }) => {
  const page = await openNode(context);
  await page.evaluate(() => window.tabchain.mine(2));
  const { database } = await page.evaluate(() => window.tabchain.storage());
  await page.close();
  const cleaner = await context.newPage();
  await cleaner.goto('/health');
  await cleaner.evaluate(async (name) => {
    const drop = (n: string) =>
      new Promise<void>((resolve, reject) => {
        const req = indexedDB.deleteDatabase(n);
        req.onsuccess = () => resolve();
        req.onerror = () => reject(req.error);
      });
    await drop(name);
    await drop('tabchain-wallet');
  }, database);
  await cleaner.close();

  const next = await openNode(context);
  const storage = await next.evaluate(() => window.tabchain.storage());
  expect(storage.lost.sort()).toEqual(['chain', 'wallet']);
  expect((await next.evaluate(() => window.tabchain.chain.tip())).height).toBe(0);
  await expect(next.getByText('chain data was cleared by the browser')).toBeVisible();
  await expect(next.getByText('If you have a backup, restore it')).toBeVisible();
});
