import { expect, test, type Page } from './fixtures.ts';

const COIN = 100_000_000n;

async function openNode(page: Page, url = '/?network=regtest') {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.evaluate(() => window.tabchain.ready());
  return errors;
}

test('behavior: mine past maturity on regtest, reload, and find the same tip and balance', async ({ page }) => {
  const errors = await openNode(page);
  const hashes = await page.evaluate(() => window.tabchain.mine(6));
  expect(hashes).toHaveLength(6);
  const tip = await page.evaluate(() => window.tabchain.chain.tip());
  expect(tip.height).toBe(6);
  expect(tip.hash).toBe(hashes[5]);
  const balance = await page.evaluate(() => window.tabchain.wallet.balance());
  // Maturity 5: the coinbase of block 1 is spendable at height 6 (by the next block).
  expect(BigInt(balance.confirmed)).toBe(2n * 50n * COIN);
  expect(BigInt(balance.immature)).toBe(4n * 50n * COIN);
  await expect(page.getByTestId('height')).toHaveText('6');

  await page.reload();
  await page.evaluate(() => window.tabchain.ready());
  expect(await page.evaluate(() => window.tabchain.network)).toBe('regtest');
  expect(await page.evaluate(() => window.tabchain.chain.tip())).toEqual(tip);
  expect(await page.evaluate(() => window.tabchain.wallet.balance())).toEqual(balance);
  const block = await page.evaluate((h) => window.tabchain.chain.block(h), tip.hash);
  expect(block).toMatchObject({ hash: tip.hash, height: 6, confirmations: 1, active: true });
  const byHeight = await page.evaluate(() => window.tabchain.chain.block(6));
  expect(byHeight?.hash).toBe(tip.hash);
  expect(errors).toEqual([]);
});

test('behavior: send between two addresses of one wallet, see it pending, mine it, find it confirmed', async ({ page }) => {
  await openNode(page);
  await page.evaluate(() => window.tabchain.mine(6));
  const to = await page.evaluate(() => window.tabchain.wallet.newAddress());
  expect(to).toMatch(/^rtab1/);
  const { txid, fee } = await page.evaluate((to) => window.tabchain.send({ to, amount: '700000000', memo: 'first payment' }), to);
  const pool = await page.evaluate(() => window.tabchain.mempool());
  expect(pool.map((t) => t.txid)).toContain(txid);
  const pendingTx = await page.evaluate((id) => window.tabchain.chain.tx(id), txid);
  expect(pendingTx).toMatchObject({ txid, height: null, confirmations: 0, memo: 'first payment' });
  expect(pendingTx!.outputs[0]).toEqual({ amount: '700000000', address: to });

  const [hash] = await page.evaluate(() => window.tabchain.mine(1));
  const confirmed = await page.evaluate((id) => window.tabchain.chain.tx(id), txid);
  expect(confirmed).toMatchObject({ txid, blockHash: hash, height: 7, confirmations: 1 });
  expect(await page.evaluate(() => window.tabchain.mempool())).toEqual([]);
  const history = await page.evaluate(() => window.tabchain.wallet.history());
  expect(history.find((h) => h.txid === txid)).toMatchObject({ height: 7, net: `-${fee}` });
});

test('error: bad payment requests are refused with typed errors and nothing is sent', async ({ page }) => {
  await openNode(page);
  await page.evaluate(() => window.tabchain.mine(6));
  const address = await page.evaluate(() => window.tabchain.wallet.address());
  const attempt = (req: { to: string; amount: string; fee?: string; memo?: string }) =>
    page.evaluate(async (r) => {
      try {
        await window.tabchain.send(r);
        return 'sent';
      } catch (e) {
        return (e as { code?: string }).code ?? String(e);
      }
    }, req);
  const typo = address.slice(0, -1) + (address.endsWith('q') ? 'p' : 'q');
  expect(await attempt({ to: typo, amount: '1000' })).toBe('bad-address');
  expect(await attempt({ to: address.replace(/^rtab/, 'tab'), amount: '1000' })).toBe('bad-address');
  expect(await attempt({ to: address, amount: '0' })).toBe('bad-amount');
  expect(await attempt({ to: address, amount: '-5' })).toBe('bad-amount');
  expect(await attempt({ to: address, amount: '1.5' })).toBe('bad-amount');
  expect(await attempt({ to: address, amount: '100000000000' })).toBe('insufficient-funds');
  expect(await attempt({ to: address, amount: '1000', fee: '1' })).toBe('fee-too-low');
  expect(await page.evaluate(() => window.tabchain.mempool())).toEqual([]);
});

test('behavior: lock and unlock the wallet with a passphrase', async ({ page }) => {
  await openNode(page);
  await page.evaluate(() => window.tabchain.wallet.setPassphrase('open sesame'));
  await page.evaluate(() => window.tabchain.wallet.lock());
  expect(await page.evaluate(() => window.tabchain.wallet.locked())).toBe(true);
  const wrong = await page.evaluate(() => window.tabchain.wallet.unlock('open barley').then(() => 'unlocked', (e: { code?: string }) => e.code));
  expect(wrong).toBe('wrong-passphrase');
  expect(await page.evaluate(() => window.tabchain.wallet.locked())).toBe(true);
  const sendLocked = await page.evaluate(async () => {
    const to = await window.tabchain.wallet.address();
    return window.tabchain.send({ to, amount: '1000' }).then(() => 'sent', (e: { code?: string }) => e.code);
  });
  expect(sendLocked).toBe('locked');
  // A reload keeps it locked: the phrase is sealed at rest.
  await page.reload();
  await page.evaluate(() => window.tabchain.ready());
  expect(await page.evaluate(() => window.tabchain.wallet.locked())).toBe(true);
  await page.evaluate(() => window.tabchain.wallet.unlock('open sesame'));
  expect(await page.evaluate(() => window.tabchain.wallet.locked())).toBe(false);
  // Revealing the phrase of a sealed wallet asks for the passphrase again.
  const bare = await page.evaluate(() => window.tabchain.wallet.backupPhrase().then(() => 'shown', (e: { code?: string }) => e.code));
  expect(bare).toBe('wrong-passphrase');
  expect((await page.evaluate(() => window.tabchain.wallet.backupPhrase('open sesame'))).split(' ')).toHaveLength(12);
});

test('behavior: two tabs of one profile are two nodes with different chain slots (and peers); a closed tab frees its slot for the next', async ({ context }) => {
  const a = await context.newPage();
  await openNode(a);
  const b = await context.newPage();
  await openNode(b);
  const slotA = (await a.evaluate(() => window.tabchain.storage())).slot;
  const slotB = (await b.evaluate(() => window.tabchain.storage())).slot;
  expect(slotA).not.toBe(slotB);
  await a.evaluate(() => window.tabchain.mine(3));
  const tipA = await a.evaluate(() => window.tabchain.chain.tip());
  // Two nodes, two databases; being peers, B catches up with A over WebRTC.
  expect((await a.evaluate(() => window.tabchain.storage())).database).not.toBe((await b.evaluate(() => window.tabchain.storage())).database);
  await expect.poll(async () => (await b.evaluate(() => window.tabchain.chain.tip())).hash, { timeout: 30_000 }).toBe(tipA.hash);
  // Both tabs share the wallet.
  expect(await a.evaluate(() => window.tabchain.wallet.address())).toBe(await b.evaluate(() => window.tabchain.wallet.address()));

  await a.close();
  const c = await context.newPage();
  await openNode(c);
  expect((await c.evaluate(() => window.tabchain.storage())).slot).toBe(slotA);
  expect(await c.evaluate(() => window.tabchain.chain.tip())).toEqual(tipA);
});

test('behavior: the block-sequence fixture submitted as raw blocks gives every expected outcome and tip', async ({ page }) => {
  const { generateBlockSequence } = await import('../../src/core/testing/block-sequence.ts');
  const { bytesToHex } = await import('../../src/core/index.ts');
  const sequence = generateBlockSequence();
  await openNode(page);
  for (const step of sequence.steps) {
    const [outcome] = await page.evaluate((hex) => window.tabchain.chain.submitBlocks([hex]), bytesToHex(step.block));
    expect({ step: step.name, status: outcome!.status, code: outcome!.code }).toEqual({ step: step.name, status: step.expect, code: step.code });
    expect((await page.evaluate(() => window.tabchain.chain.tip())).hash, step.name).toBe(step.tip);
  }
  const garbage = await page.evaluate(() => window.tabchain.chain.submitBlocks(['zz', '00']));
  expect(garbage.map((o) => o.code)).toEqual(['bad-encoding', 'bad-encoding']);
  expect((await page.evaluate(() => window.tabchain.chain.verify())).ok).toBe(true);
});
