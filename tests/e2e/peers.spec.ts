/**
 * Tabs syncing over WebRTC (issue "Peers"): each browser context is a separate profile, so a
 * separate node and wallet; all on regtest. Tabs find each other through the signaling
 * server that `npm start` serves beside the app (or one a test starts itself).
 */
import { expect, test, type Browser, type BrowserContext, type Page } from './fixtures.ts';
import { bytesToHex, encodeBlock, encodeMessage, encodeTx, regtestParams } from '../../src/core/index.ts';
import { generateBlockSequence } from '../../src/core/testing/block-sequence.ts';
import { ChainBuilder } from '../../src/core/testing/chain-builder.ts';
import { startServer } from '../../signaling-server/server.ts';

test.describe.configure({ timeout: 120_000 });

interface Tab {
  context: BrowserContext;
  page: Page;
}

async function tab(browser: Browser, query = ''): Promise<Tab> {
  const context = await browser.newContext();
  // A ?signal= of another origin (another port) is used once the user agreed: agree beforehand,
  // as a click on "Use it" in the question would (app/signal-choice.ts).
  const signal = new URLSearchParams(query).get('signal');
  if (signal) await context.addInitScript((url) => localStorage.setItem('tabchain-signal-choices', JSON.stringify({ [url]: true })), signal);
  const page = await context.newPage();
  await page.goto(`/?network=regtest${query}`);
  await page.evaluate(() => window.tabchain.ready());
  return { context, page };
}

const tip = (t: Tab) => t.page.evaluate(() => window.tabchain.chain.tip());
const peerId = (t: Tab) => t.page.evaluate(async () => (await window.tabchain.self()).peerId);
const ready = (t: Tab) => t.page.evaluate(async () => (await window.tabchain.peers()).filter((p) => p.state === 'ready').map((p) => p.id).sort());
const mempool = (t: Tab) => t.page.evaluate(async () => (await window.tabchain.mempool()).map((e) => e.txid));
const close = async (...tabs: Tab[]) => {
  for (const t of tabs) await t.context.close();
};

async function sameTip(tabs: Tab[], timeout = 60_000): Promise<string> {
  const target = (await tip(tabs[0]!)).hash;
  for (const t of tabs.slice(1)) await expect.poll(async () => (await tip(t)).hash, { timeout }).toBe(target);
  return target;
}

test('behavior: three tabs: A mines 5 blocks, B and C reach its tip', async ({ browser }) => {
  const a = await tab(browser);
  const b = await tab(browser);
  const c = await tab(browser);
  await expect.poll(async () => (await ready(a)).length, { timeout: 30_000 }).toBe(2);
  await a.page.evaluate(() => window.tabchain.mine(5));
  await sameTip([a, b, c]);
  expect((await tip(c)).height).toBe(5);
  await close(a, b, c);
});

test('behavior: a payment from A to B reaches every mempool, C mines it, every tab agrees on both balances', async ({ browser }) => {
  const a = await tab(browser);
  const b = await tab(browser);
  const c = await tab(browser);
  await expect.poll(async () => (await ready(c)).length, { timeout: 30_000 }).toBe(2);
  await a.page.evaluate(() => window.tabchain.mine(6));
  await sameTip([a, b, c]);
  const addressA = await a.page.evaluate(() => window.tabchain.wallet.address());
  const addressB = await b.page.evaluate(() => window.tabchain.wallet.address());
  const { txid } = await a.page.evaluate((to) => window.tabchain.send({ to, amount: '1234500000' }), addressB);
  for (const t of [a, b, c]) await expect.poll(() => mempool(t), { timeout: 30_000 }).toContain(txid);

  await c.page.evaluate(() => window.tabchain.mine(1));
  await sameTip([c, a, b]);
  for (const t of [a, b, c]) expect(await mempool(t)).toEqual([]);
  const balances = await Promise.all(
    [a, b, c].map((t) => t.page.evaluate(async ([x, y]) => [await window.tabchain.chain.address(x!), await window.tabchain.chain.address(y!)], [addressA, addressB])),
  );
  expect(balances[1]).toEqual(balances[0]);
  expect(balances[2]).toEqual(balances[0]);
  expect(balances[0]![1]!.confirmed).toBe('1234500000');
  expect(await b.page.evaluate(() => window.tabchain.wallet.balance())).toMatchObject({ confirmed: '1234500000' });
  await close(a, b, c);
});

test('behavior: partition and heal: the side with more work wins and the loser\'s txs return to the mempools', async ({ browser }) => {
  const a = await tab(browser);
  const b = await tab(browser);
  const c = await tab(browser);
  await expect.poll(async () => (await ready(a)).length, { timeout: 30_000 }).toBe(2);
  await a.page.evaluate(() => window.tabchain.mine(6));
  await sameTip([a, b, c]);
  const [idA, idB, idC] = await Promise.all([peerId(a), peerId(b), peerId(c)]);

  // Split {A} from {B, C}: each side refuses the other.
  await a.page.evaluate(async ([x, y]) => {
    await window.tabchain.ban(x!);
    await window.tabchain.ban(y!);
  }, [idB, idC]);
  for (const t of [b, c]) await t.page.evaluate((x) => window.tabchain.ban(x), idA);
  await expect.poll(async () => (await ready(a)).length, { timeout: 30_000 }).toBe(0);

  const to = await b.page.evaluate(() => window.tabchain.wallet.address());
  const { txid } = await a.page.evaluate((address) => window.tabchain.send({ to: address, amount: '500000000' }), to);
  await a.page.evaluate(() => window.tabchain.mine(2));
  expect(await mempool(a)).toEqual([]);
  await b.page.evaluate(() => window.tabchain.mine(4));
  const winner = await sameTip([b, c]);

  // Heal.
  await a.page.evaluate(async ([x, y]) => {
    await window.tabchain.unban(x!);
    await window.tabchain.unban(y!);
  }, [idB, idC]);
  for (const t of [b, c]) await t.page.evaluate((x) => window.tabchain.unban(x), idA);
  await expect.poll(async () => (await tip(a)).hash, { timeout: 60_000 }).toBe(winner);
  for (const t of [a, b, c]) await expect.poll(() => mempool(t), { timeout: 30_000 }).toContain(txid);
  await close(a, b, c);
});

test('behavior: a late tab syncs 500 blocks from its peers, with progress events reaching done = total', async ({ browser }) => {
  const a = await tab(browser);
  const builder = new ChainBuilder(regtestParams, { firstBlockTime: Math.floor(Date.now() / 1000) - 1200 });
  const blocks = builder.extend(builder.genesis, 500).map((x) => bytesToHex(encodeBlock(x.block)));
  for (let i = 0; i < blocks.length; i += 100) await a.page.evaluate((hexes) => window.tabchain.chain.submitBlocks(hexes), blocks.slice(i, i + 100));
  expect((await tip(a)).height).toBe(500);
  const b = await tab(browser);
  await b.page.evaluate(() => {
    const w = window as unknown as { syncEvents: { done: number; total: number }[] };
    w.syncEvents = [];
    window.tabchain.on('sync', (p) => w.syncEvents.push(p as { done: number; total: number }));
  });
  await expect.poll(async () => (await tip(b)).height, { timeout: 90_000 }).toBe(500);
  const events = await b.page.evaluate(() => (window as unknown as { syncEvents: { done: number; total: number }[] }).syncEvents);
  expect(events.length).toBeGreaterThan(1);
  expect(events.at(-1)).toEqual({ done: 500, total: 500 });
  expect((await b.page.evaluate(() => window.tabchain.chain.verify())).ok).toBe(true);
  await close(a, b);
});

test('behavior: with the signaling server down, links keep syncing, a tab is introduced through the mesh, and all reconnect when it returns', async ({ browser, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  const server = await startServer({ port: 0, host: '127.0.0.1', signaling: { origins: [origin], logger: null } });
  const port = server.port;
  const query = `&signal=ws://127.0.0.1:${port}/signal`;
  const a = await tab(browser, query);
  const b = await tab(browser, query);
  // C links to one peer only, for now.
  const c = await tab(browser, `${query}&maxPeers=1`);
  await expect.poll(async () => (await ready(c)).length, { timeout: 30_000 }).toBe(1);
  await expect.poll(async () => (await ready(a)).length + (await ready(b)).length, { timeout: 30_000 }).toBe(3);

  await server.close();
  await expect.poll(() => a.page.evaluate(async () => (await window.tabchain.self()).signaling), { timeout: 15_000 }).not.toBe('online');
  // Existing links keep working.
  await a.page.evaluate(() => window.tabchain.mine(2));
  await sameTip([a, b, c]);
  // C may now link to everyone it heard of: the other tab is introduced through the peer it has.
  await c.page.evaluate(() => window.tabchain.setMaxPeers(8));
  await expect.poll(async () => (await ready(c)).length, { timeout: 30_000 }).toBe(2);

  const again = await startServer({ port, host: '127.0.0.1', signaling: { origins: [origin], logger: null } });
  for (const t of [a, b, c]) {
    await expect.poll(() => t.page.evaluate(async () => (await window.tabchain.self()).signaling), { timeout: 45_000 }).toBe('online');
  }
  await again.close();
  await close(a, b, c);
});

test('error: a misbehaving peer (a malformed frame, a malformed block, an invalid tx) is banned, a broken chunk only dropped; the others stay connected and keep syncing', async ({ browser }) => {
  const a = await tab(browser);
  const b = await tab(browser);
  await expect.poll(async () => (await ready(a)).length, { timeout: 30_000 }).toBe(1);
  const idA = await peerId(a);

  const builder = new ChainBuilder();
  const blocks = builder.extend(builder.genesis, 6);
  const hexes = blocks.map((x) => bytesToHex(encodeBlock(x.block)));
  await a.page.evaluate((h) => window.tabchain.chain.submitBlocks(h), hexes);
  await sameTip([a, b]);

  const connectBad = async () => {
    const m = await tab(browser, '&debug');
    await expect.poll(async () => (await ready(m)).includes(idA), { timeout: 30_000 }).toBe(true);
    return { m, idM: await peerId(m) };
  };
  const bansOfA = () => a.page.evaluate(async () => (await window.tabchain.bans()).map((x) => x.peerId));
  const misbehave = async (send: (t: Tab) => Promise<unknown>) => {
    const { m, idM } = await connectBad();
    await send(m);
    await expect.poll(bansOfA, { timeout: 30_000 }).toContain(idM);
    expect(await ready(a)).not.toContain(idM);
    return m;
  };
  // A broken chunk header: the link is dropped, without a ban (test-plan E.28).
  const { m: m0, idM: id0 } = await connectBad();
  await m0.page.evaluate((to) => window.tabchain.debug!.sendRaw(to, '00'.repeat(50)), idA);
  await expect.poll(async () => (await ready(a)).includes(id0), { timeout: 30_000 }).toBe(false);
  expect(await bansOfA()).not.toContain(id0);
  // A well-chunked message that is not a tabchain frame: banned.
  const m1 = await misbehave((m) => m.page.evaluate((to) => window.tabchain.debug!.sendMessage(to, '68656c6c6f20776f726c64'), idA));
  // A well-framed message whose block does not decode: banned.
  const badBlock = bytesToHex(encodeMessage({ type: 'block', block: new Uint8Array([1, 2, 3]) }));
  const m2 = await misbehave((m) => m.page.evaluate(([to, hex]) => window.tabchain.debug!.sendMessage(to!, hex!), [idA, badBlock]));
  // A tx with a bad signature: banned.
  const good = builder.spend([builder.coinbaseOf(blocks[0]!)], [49n * 100_000_000n]);
  const sig = good.inputs[0]!.signature.slice();
  sig[0] = sig[0]! ^ 1;
  const forged = { ...good, inputs: [{ ...good.inputs[0]!, signature: sig }] };
  const badTx = bytesToHex(encodeMessage({ type: 'tx', tx: encodeTx(forged) }));
  const m3 = await misbehave((m) => m.page.evaluate(([to, hex]) => window.tabchain.debug!.sendMessage(to!, hex!), [idA, badTx]));

  // The honest peers are still linked and still sync.
  expect(await ready(a)).toContain(await peerId(b));
  await b.page.evaluate(() => window.tabchain.mine(1));
  await sameTip([b, a]);
  await close(a, b, m0, m1, m2, m3);
});

test('behavior: the block-sequence fixture replayed over the network ends on the expected tip', async ({ browser }) => {
  const sequence = generateBlockSequence();
  const a = await tab(browser);
  for (const step of sequence.steps) await a.page.evaluate((hex) => window.tabchain.chain.submitBlocks([hex]), bytesToHex(step.block));
  expect((await tip(a)).hash).toBe(sequence.finalTip);
  const b = await tab(browser);
  await expect.poll(async () => (await tip(b)).hash, { timeout: 60_000 }).toBe(sequence.finalTip);
  expect((await b.page.evaluate(() => window.tabchain.chain.verify())).ok).toBe(true);
  await close(a, b);
});
