/**
 * A tab syncing full blocks (near the size limit, every tx signed) stays responsive: while it
 * downloads and validates them, a person clicks through every view and each click shows its view
 * (the link becomes current, the view's heading appears), and the header's height follows the
 * sync. No timing is asserted: the node's work runs in its worker (src/node.worker.ts), so the page
 * answers however long validation takes; bench/full-blocks.bench.ts measures the long tasks.
 */
import { expect, openTestTab, test, type Tab } from './fixtures.ts';
import { bytesToHex, encodeBlock } from '../../src/core/index.ts';
import { buildFullBlocks } from '../../src/core/testing/full-blocks.ts';

test.describe.configure({ timeout: 240_000 });

/** Three full blocks (about 5,100 signed txs) and the blocks that fund them, as hex. */
let hexes: string[] = [];
let fullTxs = 0;
test.beforeAll(() => {
  const chain = buildFullBlocks(3, { now: Math.floor(Date.now() / 1000) });
  hexes = chain.blocks.map((b) => bytesToHex(encodeBlock(b.block)));
  fullTxs = chain.txsPerBlock * chain.full.length;
});

const VIEWS = [
  { link: 'Wallet', heading: /Wallet|Balance/ },
  { link: 'Mining', heading: /Mining/ },
  { link: 'Network', heading: /Network/ },
  { link: 'Explorer', heading: /Explorer/ },
  { link: 'Mempool', heading: /Mempool/ },
];

test('behavior: a tab syncing full blocks answers every click with its view while the blocks arrive and validate', async ({ browser }) => {
  expect(fullTxs).toBeGreaterThan(5000);
  const a: Tab = await openTestTab(browser);
  const outcomes = await a.page.evaluate((h) => window.tabchain.chain.submitBlocks(h), hexes);
  expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
  const target = (await a.page.evaluate(() => window.tabchain.chain.tip())).height;
  expect(target).toBe(hexes.length);

  const b: Tab = await openTestTab(browser);
  const page = b.page;
  await page.evaluate(() => {
    const w = window as unknown as { lastSync: { done: number; total: number } | null };
    w.lastSync = null;
    window.tabchain.on('sync', (p) => (w.lastSync = p));
  });
  const nav = page.getByRole('navigation');
  let clicks = 0;
  let clicksWhileSyncing = 0;
  for (let round = 0; round < 200; round++) {
    for (const view of VIEWS) {
      const state = await page.evaluate(async () => ({
        height: (await window.tabchain.chain.tip()).height,
        sync: (window as unknown as { lastSync: { done: number; total: number } | null }).lastSync,
      }));
      const syncing = state.height < target && state.sync !== null && state.sync.done < state.sync.total;
      const link = nav.getByRole('link', { name: view.link });
      await link.click();
      // The click's answer: the link is the current page and the view's heading is shown.
      await expect(link).toHaveAttribute('aria-current', 'page', { timeout: 30_000 });
      await expect(page.getByRole('heading', { level: 2, name: view.heading }).first()).toBeVisible({ timeout: 30_000 });
      clicks++;
      if (syncing) clicksWhileSyncing++;
    }
    if ((await page.evaluate(() => window.tabchain.chain.tip())).height === target) break;
  }
  // The header's height followed the sync to the end, and the synced chain is sound.
  await expect(page.getByTestId('height')).toHaveText(String(target), { timeout: 120_000 });
  expect((await page.evaluate(() => window.tabchain.chain.verify())).ok).toBe(true);
  expect(clicks).toBeGreaterThanOrEqual(VIEWS.length);
  // At least one round of clicks came while blocks were still arriving or validating.
  expect(clicksWhileSyncing).toBeGreaterThan(0);
});
