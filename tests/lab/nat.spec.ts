/**
 * Two homes, each behind its own NAT, reach each other through the lab's public host (the app,
 * signaling and coturn): see tests/lab/README.md. Each scenario rebuilds both homes with the NAT
 * kinds it needs, starts a Chromium inside each, and opens one tab per home on one of the lab's
 * app servers, which hand out STUN and TURN (`full`), STUN only (`stunOnly`), or TURN
 * credentials from a secret coturn does not share (`wrongSecret`).
 *
 * Paths are read from the page's own report (`tabchain.peers()` path/remotePath,
 * `tabchain.connectivity()`), and checked against the browser's getStats of the same links.
 */
import { answersWithin, connectivity, expect, linked, mine, readyPeers, sameTip, test, tip, truePairs, type Tab } from './fixtures.ts';
import { stunMappings } from './lab.ts';

const THROUGH_NAT = ['srflx', 'prflx'];

/**
 * Each tab's link as the page reports it (peers() path/remotePath), once that agrees with what
 * getStats selects right now: the page reads the stats from time to time, and ICE may still
 * move to a better pair just after the link opens.
 */
async function paths(t: Tab): Promise<{ path: string | null | undefined; remotePath: string | null | undefined }> {
  let reported: { path: string | null | undefined; remotePath: string | null | undefined } = { path: undefined, remotePath: undefined };
  await expect
    .poll(
      async () => {
        const [peer] = await readyPeers(t);
        const pairs = await truePairs(t);
        reported = { path: peer?.path, remotePath: peer?.remotePath };
        const truth = pairs.map((p) => `${p.local} → ${p.remote}`).join(', ');
        return `page ${reported.path} → ${reported.remotePath}; getStats ${truth}`;
      },
      { timeout: 20_000, message: "the page's path/remotePath are the selected pair's candidate types" },
    )
    .toMatch(/^page (\w+) → (\w+); getStats \1 → \2$/);
  return reported;
}

test('the NATs: endpoint-independent keeps one mapping for every destination, symmetric maps each one apart', async ({ lab }) => {
  await lab.homes('eim', 'sym', { browsers: false });
  const [eimA, eimB] = stunMappings(1);
  expect(eimA).toMatch(/^172\.31\.0\.11:\d+$/);
  expect(eimB).toBe(eimA);
  const [symA, symB] = stunMappings(2);
  expect(symA).toMatch(/^172\.31\.0\.12:\d+$/);
  expect(symB!.split(':')[0]).toBe('172.31.0.12');
  expect(symB).not.toBe(symA);
});

test('endpoint-independent NATs with STUN only: the homes link through the NATs, sync and pay each other', async ({ lab }) => {
  await lab.homes('eim', 'eim');
  const a = await lab.tab(1, 'stunOnly');
  const b = await lab.tab(2, 'stunOnly');
  await linked([a, b]);
  for (const t of [a, b]) {
    // Chromium names the local side of a pair by its base (host) and the far side by the
    // address the NAT gave it (srflx, or prflx when learned from the checks).
    const { path, remotePath } = await paths(t);
    expect([path, remotePath]).not.toContain('relay');
    expect(THROUGH_NAT.includes(path!) || THROUGH_NAT.includes(remotePath!), `through NAT: ${path} → ${remotePath}`).toBe(true);
  }
  // The server handed out its STUN server and no relay.
  expect(await connectivity(a)).toMatchObject({ verdict: 'direct', iceServers: 1, relayConfigured: false });

  await mine(a, 6);
  await sameTip([a, b]);
  const to = await b.page.evaluate(() => window.tabchain.wallet.address());
  const { txid } = await a.page.evaluate((address) => window.tabchain.send({ to: address, amount: '1234500000' }), to);
  await expect.poll(() => b.page.evaluate(async () => (await window.tabchain.mempool()).map((e) => e.txid)), { timeout: 30_000 }).toContain(txid);
  await mine(b, 1);
  await sameTip([b, a]);
  expect(await b.page.evaluate(() => window.tabchain.wallet.balance())).toMatchObject({ confirmed: expect.stringMatching(/^\d+$/) });
  const paid = await a.page.evaluate((address) => window.tabchain.chain.address(address), to);
  expect(BigInt((paid as { confirmed: string }).confirmed)).toBeGreaterThanOrEqual(1234500000n);
  // B pays back.
  const back = await a.page.evaluate(() => window.tabchain.wallet.address());
  const { txid: txBack } = await b.page.evaluate((address) => window.tabchain.send({ to: address, amount: '100000000' }), back);
  await expect.poll(() => a.page.evaluate(async () => (await window.tabchain.mempool()).map((e) => e.txid)), { timeout: 30_000 }).toContain(txBack);
  expect((await tip(a)).height).toBe(7);
});

test('symmetric NATs with TURN: the homes link through the relay and sync', async ({ lab }) => {
  await lab.homes('sym', 'sym');
  const a = await lab.tab(1, 'full');
  const b = await lab.tab(2, 'full');
  await linked([a, b]);
  for (const t of [a, b]) {
    const { path, remotePath } = await paths(t);
    // One side's relay address is enough: the other may reach it from its own mapping (prflx).
    expect([path, remotePath]).toContain('relay');
  }
  expect(await connectivity(a)).toMatchObject({ verdict: 'relay-only', relayConfigured: true });
  await mine(b, 3);
  await sameTip([b, a]);
});

test('one home behind each kind of NAT, with STUN and TURN: the homes link and sync', async ({ lab }) => {
  await lab.homes('eim', 'sym');
  const a = await lab.tab(1, 'full');
  const b = await lab.tab(2, 'full');
  await linked([a, b]);
  for (const t of [a, b]) {
    const { path, remotePath } = await paths(t);
    expect(path).not.toBe('host');
    expect(remotePath).not.toBe('host');
  }
  await mine(a, 3);
  await sameTip([a, b]);
  await mine(b, 2);
  await sameTip([b, a]);
});

test('symmetric NATs without TURN: no link, the page says a relay is needed and stays responsive; a wrong TURN secret: the page says the relay refused', async ({ lab }) => {
  await lab.homes('sym', 'sym');
  const a = await lab.tab(1, 'stunOnly');
  const b = await lab.tab(2, 'stunOnly');
  for (const t of [a, b]) {
    await expect.poll(async () => (await connectivity(t)).verdict, { timeout: 90_000 }).toBe('needs-relay');
    expect(await readyPeers(t)).toEqual([]);
    expect(await answersWithin(t.page, 5_000)).toBe(true);
  }
  await a.context.close();
  await b.context.close();

  const c = await lab.tab(1, 'wrongSecret');
  const d = await lab.tab(2, 'wrongSecret');
  for (const t of [c, d]) {
    await expect.poll(async () => (await connectivity(t)).verdict, { timeout: 90_000 }).toBe('relay-refused');
    expect(await readyPeers(t)).toEqual([]);
    expect(await answersWithin(t.page, 5_000)).toBe(true);
  }
});

test("a user's own ICE servers override the server's: on the STUN-only server, symmetric homes with the lab's TURN set by hand link through the relay", async ({ lab }) => {
  await lab.homes('sym', 'sym');
  const a = await lab.tab(1, 'stunOnly', { stun: true, turn: true });
  const b = await lab.tab(2, 'stunOnly', { stun: true, turn: true });
  await linked([a, b]);
  const { path, remotePath } = await paths(a);
  expect([path, remotePath]).toContain('relay');
  await mine(a, 2);
  await sameTip([a, b]);
});
