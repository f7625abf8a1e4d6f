/**
 * A laptop that sleeps (issue 10, part 4): the page of tab B is paused through the DevTools
 * protocol (headless Chromium ignores lifecycle freezing; a paused page runs no script, as a
 * sleeping machine's tab would, while the browser's network stack stays up). A notices the dead
 * link by its ping timeout and keeps mining; when B wakes it relinks and resyncs by itself.
 */
import { expect, openTestTab, test, type Tab } from './fixtures.ts';

test.describe.configure({ timeout: 300_000 });

const tab = openTestTab;

const peerId = (t: Tab) => t.page.evaluate(async () => (await window.tabchain.self()).peerId);
const readyWith = (t: Tab, id: string) => t.page.evaluate(async (id) => (await window.tabchain.peers()).some((p) => p.id === id && p.state === 'ready'), id);
const height = (t: Tab) => t.page.evaluate(async () => (await window.tabchain.chain.tip()).height);

test('behavior: a tab paused past the ping timeout is dropped by its peer, and on waking relinks and resyncs by itself', async ({ browser }) => {
  const a = await tab(browser);
  const b = await tab(browser);
  const [idA, idB] = await Promise.all([peerId(a), peerId(b)]);
  await expect.poll(() => readyWith(a, idB), { timeout: 30_000 }).toBe(true);
  await a.page.evaluate(() => window.tabchain.mine(1));
  await expect.poll(() => height(b), { timeout: 30_000 }).toBe(await height(a));

  // B sleeps: no script runs on its page until it is resumed.
  const cdp = await b.context.newCDPSession(b.page);
  await cdp.send('Debugger.enable');
  const paused = new Promise<void>((resolve) => cdp.once('Debugger.paused', () => resolve()));
  await cdp.send('Debugger.pause');
  await paused;

  // A mines on; within its ping timeout (60 s) it notices B stopped answering and drops the link.
  await a.page.evaluate(() => window.tabchain.mine(2));
  const target = await height(a);
  await expect.poll(() => readyWith(a, idB), { timeout: 150_000, intervals: [1_000] }).toBe(false);

  // B wakes: it relinks (through the signaling server it never left) and catches up.
  await cdp.send('Debugger.resume');
  await cdp.send('Debugger.disable');
  await expect.poll(() => height(b), { timeout: 120_000 }).toBeGreaterThanOrEqual(target);
  await expect.poll(() => readyWith(b, idA), { timeout: 120_000 }).toBe(true);
  await expect.poll(() => readyWith(a, idB), { timeout: 120_000 }).toBe(true);
  expect((await b.page.evaluate(() => window.tabchain.chain.tip())).hash).toBe((await a.page.evaluate(() => window.tabchain.chain.tip())).hash);
});
