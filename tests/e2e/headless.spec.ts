/**
 * Issue 6: a headless node (the same core in Node: LevelDB, worker_threads, @roamhq/wrtc) and two
 * browser tabs form one network through the app's signaling endpoint and converge: blocks mined
 * on either side reach the other, and a payment from the headless node's wallet is confirmed in
 * a tab.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Browser, type Page } from './fixtures.ts';
import { createTabchainApi } from '../../src/app/tabchain-api.ts';
import { startHeadlessNode } from '../../src/headless/start-headless-node.ts';

test.describe.configure({ timeout: 90_000 });

async function tab(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto('/?network=regtest');
  await page.evaluate(() => window.tabchain.ready());
  return page;
}

test('behavior: a headless node and two browser tabs form one network and converge on one chain', async ({ browser, baseURL }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tabchain-e2e-node-'));
  const signalingUrl = `${baseURL!.replace(/^http/, 'ws')}/signal`;
  const headless = await startHeadlessNode({ network: 'regtest', dataDir, signalingUrl, workers: 1 });
  const api = createTabchainApi('regtest', Promise.resolve(headless.services));
  try {
    const a = await tab(browser);
    const b = await tab(browser);
    const nodeId = headless.services.identity.peerId;
    for (const page of [a, b]) {
      await expect.poll(() => page.evaluate(async (id) => (await window.tabchain.peers()).some((p) => p.id === id && p.state === 'ready'), nodeId), { timeout: 30_000 }).toBe(true);
    }

    // A tab mines; the headless node follows.
    await a.evaluate(() => window.tabchain.mine(4));
    const tabTip = await a.evaluate(() => window.tabchain.chain.tip());
    await expect.poll(async () => (await api.chain.tip()).hash, { timeout: 30_000 }).toBe(tabTip.hash);

    // The headless node mines past maturity and pays tab B; both tabs follow.
    await api.mine(6);
    const to = await b.evaluate(() => window.tabchain.wallet.address());
    const { txid } = await api.send({ to, amount: '300000000', memo: 'from node' });
    await expect.poll(() => b.evaluate(async (id) => (await window.tabchain.mempool()).some((e) => e.txid === id), txid), { timeout: 30_000 }).toBe(true);
    await api.mine(1);
    const nodeTip = await api.chain.tip();
    for (const page of [a, b]) {
      await expect.poll(() => page.evaluate(async () => (await window.tabchain.chain.tip()).hash), { timeout: 30_000 }).toBe(nodeTip.hash);
    }
    expect(await b.evaluate(() => window.tabchain.wallet.balance())).toMatchObject({ confirmed: '300000000' });
    expect(nodeTip.height).toBe(11);
  } finally {
    await headless.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
