import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { COIN, MemoryChainStore, MemoryPendingTxStore, Node, WalletError, buildPayment, decodeAddress, encodeAddress, mainParams, regtestParams } from '../core/index.ts';
import { ChainBuilder, ManualClock, testKey } from '../core/testing/chain-builder.ts';
import { openWalletDatabase } from '../adapters/idb/wallet-database.ts';
import { WalletKeys } from './wallet-keys.ts';
import { WalletService } from './wallet-service.ts';

let n = 0;
const fast = { iterations: 1000 };
const walletDb = () => openWalletDatabase(`wallet-test-${++n}`);

async function setup() {
  const db = await walletDb();
  const keys = await WalletKeys.open(db, regtestParams, fast);
  const clock = new ManualClock(regtestParams.genesis.header.time + 100_000);
  const node = await Node.open({ params: regtestParams, chainStore: new MemoryChainStore(), pendingStore: new MemoryPendingTxStore(), clock });
  const wallet = new WalletService(node, keys);
  const b = new ChainBuilder();
  /** Mines blocks paying `payTo` (default: the wallet) with the pool's txs in the first. */
  let tip = b.genesis;
  /** Every block mined, by height. */
  const built = [b.genesis];
  const mine = async (count: number, payTo = keys.receiveKey()) => {
    for (let i = 0; i < count; i++) {
      const txs = node.mempool.selectForBlock(100_000).txs;
      tip = b.next(tip, { txs, payTo });
      built[tip.height] = tip;
      expect((await node.submitBlock(tip.block)).status).toBe('connected');
      await node.mempool.accept(tip.block.txs[0]!).catch(() => undefined); // let the pool settle
    }
  };
  return { db, keys, node, wallet, mine, b, built };
}

async function expectWalletError(promise: Promise<unknown> | (() => unknown), code: string) {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (e) {
    expect(e).toBeInstanceOf(WalletError);
    expect((e as WalletError).code).toBe(code);
    return;
  }
  throw new Error(`expected WalletError ${code}`);
}

describe('WalletKeys', () => {
  it('behavior: a new wallet has one test-network address, and every tab opening the database sees the same one', async () => {
    const db = await walletDb();
    const a = await WalletKeys.open(db, regtestParams, fast);
    expect(a.addresses()).toHaveLength(1);
    expect(a.address()).toMatch(/^rtab1/);
    const b = await WalletKeys.open(db, regtestParams, fast);
    expect(b.address()).toBe(a.address());
    const second = await a.newAddress();
    expect(a.addresses()).toEqual([b.address(), second]);
    await b.reload();
    expect(b.addresses()).toEqual(a.addresses());
    expect(decodeAddress(second, 'rtab')).toEqual(a.receiveKey());
  });

  it('behavior: a passphrase locks the keys but not the addresses; a wrong one changes nothing', async () => {
    const db = await walletDb();
    const a = await WalletKeys.open(db, regtestParams, fast);
    const phrase = await a.backupPhrase();
    await a.setPassphrase('correct horse staple');
    const reopened = await WalletKeys.open(db, regtestParams, fast);
    expect(reopened.locked).toBe(true);
    expect(reopened.addresses()).toEqual(a.addresses());
    await expectWalletError(reopened.unlock('wrong horse staple'), 'wrong-passphrase');
    expect(reopened.locked).toBe(true);
    await expectWalletError(reopened.backupPhrase('correct horse staple'), 'locked');
    await expectWalletError(reopened.newAddress(), 'locked');
    await reopened.unlock('correct horse staple');
    expect(reopened.locked).toBe(false);
    // The phrase is shown only against the passphrase, asked again.
    await expectWalletError(reopened.backupPhrase(), 'wrong-passphrase');
    await expectWalletError(reopened.backupPhrase('wrong horse staple'), 'wrong-passphrase');
    expect(await reopened.backupPhrase('correct horse staple')).toBe(phrase);
    reopened.lock();
    expect(reopened.locked).toBe(true);
  });

  it('error: locking a wallet without a passphrase is refused', async () => {
    const a = await WalletKeys.open(await walletDb(), regtestParams, fast);
    await expectWalletError(() => a.lock(), 'no-passphrase');
    expect(a.locked).toBe(false);
  });

  it('behavior: the recovery phrase restores the same addresses in a fresh profile', async () => {
    const a = await WalletKeys.open(await walletDb(), regtestParams, fast);
    await a.newAddress();
    const fresh = await WalletKeys.open(await walletDb(), regtestParams, fast);
    await expectWalletError(fresh.restore(await a.backupPhrase()), 'wallet-exists');
    await fresh.restore(await a.backupPhrase(), { replace: true });
    expect(fresh.addresses().slice(0, 2)).toEqual(a.addresses());
    expect(fresh.addresses()).toHaveLength(20);
    await expectWalletError(fresh.restore('abandon abandon abandon'), 'bad-mnemonic');
  });

  it('behavior: an encrypted backup file round-trips; a wrong passphrase or another network is refused', async () => {
    const a = await WalletKeys.open(await walletDb(), regtestParams, fast);
    await a.newAddress();
    const backup = JSON.parse(JSON.stringify(await a.exportBackup('file passphrase 7')));
    const fresh = await WalletKeys.open(await walletDb(), regtestParams, fast);
    const before = fresh.addresses();
    await expectWalletError(fresh.importBackup(backup, 'nope', { replace: true }), 'wrong-passphrase');
    expect(fresh.addresses()).toEqual(before);
    await expectWalletError(fresh.importBackup({ ...backup, network: 'main' }, 'file passphrase 7', { replace: true }), 'wrong-network');
    await expectWalletError(fresh.importBackup({ hello: 1 } as never, 'file passphrase 7'), 'bad-backup');
    await fresh.importBackup(backup, 'file passphrase 7', { replace: true });
    expect(fresh.addresses()).toEqual(a.addresses());
  });
});

describe('WalletService', () => {
  it('behavior: mined coins are immature, then confirmed; a send between own addresses is pending, then confirmed', async () => {
    const { keys, wallet, mine, node } = await setup();
    await mine(1);
    expect(await wallet.balance()).toEqual({ confirmed: 0n, pendingIncoming: 0n, pendingChange: 0n, pending: 0n, immature: 50n * COIN, available: 0n });
    await mine(5);
    expect((await wallet.balance()).confirmed).toBe(50n * COIN * 2n);
    expect((await wallet.balance()).immature).toBe(50n * COIN * 4n);

    const to = await keys.newAddress();
    const { txid, fee } = await wallet.send({ to, amount: 7n * COIN, memo: 'rent' });
    expect(node.mempool.has(txid)).toBe(true);
    const pending = await wallet.balance();
    // The whole 50-coin coin is spent by the pending tx; 50 − fee comes back as pending.
    expect(pending.pending).toBe(50n * COIN - fee);
    expect(pending.confirmed).toBe(50n * COIN);
    const history = await wallet.history();
    expect(history[0]).toMatchObject({ txid, height: null, confirmations: 0, memo: 'rent', net: -fee });

    await mine(1, decodeAddress(to, 'rtab'));
    expect(node.mempool.has(txid)).toBe(false);
    const after = await wallet.balance();
    expect(after.pending).toBe(0n);
    const confirmed = (await wallet.history()).find((h) => h.txid === txid)!;
    expect(confirmed.height).toBe(7);
    expect(confirmed.confirmations).toBe(1);
    expect((await wallet.history()).filter((h) => h.coinbase)).toHaveLength(7);
  });

  it('behavior: unconfirmed change can be spent again', async () => {
    const { keys, wallet, mine, node } = await setup();
    await mine(6);
    const to = keys.address();
    const first = await wallet.send({ to, amount: 60n * COIN });
    const second = await wallet.send({ to, amount: 35n * COIN });
    expect(node.mempool.get(second.txid)!.parents.size + node.mempool.get(first.txid)!.children.size).toBeGreaterThan(0);
  });

  it('behavior: a payment is pending change for its sender (available now) and pending incoming for its payee (not available until a block)', async () => {
    const { wallet: alice, mine, node } = await setup();
    const bobKeys = await WalletKeys.open(await walletDb(), regtestParams, fast);
    const bob = new WalletService(node, bobKeys);
    await mine(6); // two mature 50-coin coinbases, four immature
    const { fee } = await alice.send({ to: bobKeys.address(), amount: 12n * COIN });
    const a = await alice.balance();
    expect(a).toMatchObject({ confirmed: 50n * COIN, pendingIncoming: 0n, pendingChange: 38n * COIN - fee, immature: 200n * COIN });
    expect(a.pending).toBe(a.pendingChange);
    expect(a.available).toBe(a.confirmed + a.pendingChange);
    expect(await bob.balance()).toEqual({ confirmed: 0n, pendingIncoming: 12n * COIN, pendingChange: 0n, pending: 12n * COIN, immature: 0n, available: 0n });
    // Coins from others wait for a block: Bob cannot spend them yet, and nothing is spent.
    await expectWalletError(bob.send({ to: bobKeys.address(), amount: COIN }), 'insufficient-funds');
    await mine(1, bobKeys.receiveKey());
    expect(node.mempool.size).toBe(0);
    expect(await bob.balance()).toMatchObject({ confirmed: 12n * COIN, pendingIncoming: 0n, pending: 0n, available: 12n * COIN });
    expect(await alice.balance()).toMatchObject({ pendingChange: 0n, pending: 0n });
  });

  it('error: the change of a tx that spends an unconfirmed payment from someone else is not trusted: pending incoming, not available', async () => {
    const { keys, wallet: alice, mine, node } = await setup();
    const bobKeys = await WalletKeys.open(await walletDb(), regtestParams, fast);
    const bob = new WalletService(node, bobKeys);
    await mine(6, bobKeys.receiveKey());
    // Bob pays Alice 60 coins: unconfirmed, his to double-spend.
    const paid = await bob.send({ to: keys.address(), amount: 60n * COIN });
    // A tx of Alice's that spends that payment (another tab of her seed, or an older version, made it).
    const vout = node.mempool.get(paid.txid)!.tx.outputs.findIndex((o) => encodeAddress(o.publicKey, regtestParams.addressPrefix) === keys.address());
    const spend = buildPayment({
      params: regtestParams,
      coins: [{ key: `${paid.txid}:${vout}`, amount: 60n * COIN, publicKey: keys.receiveKey(), confirmed: false }],
      to: bobKeys.address(),
      amount: 10n * COIN,
      secretKeyFor: (k) => keys.secretKeyFor(k),
      changePublicKey: keys.receiveKey(),
    });
    expect((await node.submitTx(spend.tx)).ok).toBe(true);
    const balance = await alice.balance();
    expect(balance).toMatchObject({ confirmed: 0n, pendingChange: 0n, pendingIncoming: spend.change, available: 0n });
    await expectWalletError(alice.send({ to: bobKeys.address(), amount: COIN }), 'insufficient-funds');
  });

  it('behavior: change spent again by a second pending payment is counted once (only the unspent, newest change), and that is what can be spent', async () => {
    const { wallet, mine, node } = await setup();
    const other = await WalletKeys.open(await walletDb(), regtestParams, fast);
    await mine(6); // two mature 50-coin coinbases
    const first = await wallet.send({ to: other.address(), amount: 60n * COIN }); // spends both: change 40 − fee
    const afterFirst = await wallet.balance();
    expect(afterFirst).toMatchObject({ confirmed: 0n, pendingChange: 40n * COIN - first.fee, available: 40n * COIN - first.fee });
    const second = await wallet.send({ to: other.address(), amount: 30n * COIN }); // must spend the change
    expect(node.mempool.get(second.txid)!.parents.has(first.txid)).toBe(true);
    const change = 10n * COIN - first.fee - second.fee;
    expect(await wallet.balance()).toMatchObject({ confirmed: 0n, pendingIncoming: 0n, pendingChange: change, pending: change, available: change });
    await expectWalletError(wallet.send({ to: other.address(), amount: change + 1n }), 'insufficient-funds');
    expect(node.mempool.size).toBe(2);
  });

  it('error: bad requests give typed errors and spend nothing', async () => {
    const { keys, wallet, mine, node } = await setup();
    await mine(6);
    const good = keys.address();
    const typo = good.slice(0, -1) + (good.endsWith('q') ? 'p' : 'q');
    await expectWalletError(wallet.send({ to: typo, amount: COIN }), 'bad-address');
    await expectWalletError(wallet.send({ to: encodeAddress(keys.receiveKey(), mainParams.addressPrefix), amount: COIN }), 'wrong-network');
    await expectWalletError(wallet.send({ to: good, amount: 0n }), 'bad-amount');
    await expectWalletError(wallet.send({ to: good, amount: -5n }), 'bad-amount');
    await expectWalletError(wallet.send({ to: good, amount: 1000n * COIN }), 'insufficient-funds');
    await expectWalletError(wallet.send({ to: good, amount: COIN, fee: 1n }), 'fee-too-low');
    await expectWalletError(wallet.send({ to: good, amount: COIN, memo: 'x'.repeat(81) }), 'memo-too-long');
    await keys.setPassphrase('a good long passphrase');
    keys.lock();
    await expectWalletError(wallet.send({ to: good, amount: COIN }), 'locked');
    expect(node.mempool.size).toBe(0);
  });

  it('behavior: after a restore in a fresh profile and a sync, the balance is the same', async () => {
    const first = await setup();
    await first.mine(8);
    const balance = await first.wallet.balance();
    const other = await setup();
    await other.keys.restore(await first.keys.backupPhrase(), { replace: true });
    // "Sync": the new node receives the same blocks.
    for (let h = 1; h <= first.node.tip.height; h++) {
      const block = (await first.node.chain.getBlock(first.node.chain.entryAt(h)!.hash))!;
      await other.node.submitBlock(block);
    }
    expect(await other.wallet.balance()).toEqual(balance);
  });
});

describe('receive address after a restore', () => {
  it('behavior: a restored wallet starts at its first address, skips addresses the chain shows used, and hands out the ones derived ahead', async () => {
    const first = await setup();
    const firstAddress = first.keys.address();
    await first.mine(3);
    const used = await first.keys.newAddress();
    await first.mine(1);
    const other = await setup();
    await other.keys.restore(await first.keys.backupPhrase(), { replace: true });
    expect(other.keys.addresses()).toHaveLength(20);
    expect(other.keys.address()).toBe(firstAddress);
    for (let h = 1; h <= first.node.tip.height; h++) {
      await other.node.submitBlock((await first.node.chain.getBlock(first.node.chain.entryAt(h)!.hash))!);
    }
    // The first two keys received coinbases: the history scan moves past both.
    await other.wallet.history();
    expect(other.keys.address()).toBe(other.keys.addresses()[2]);
    expect([firstAddress, used]).not.toContain(other.keys.address());
    // A new address is the next one derived ahead: no key is added.
    const next = await other.keys.newAddress();
    expect(next).toBe(other.keys.addresses()[3]);
    expect(other.keys.addresses()).toHaveLength(20);
  });

  it('behavior: restoring the same wallet keeps its current address', async () => {
    const { keys } = await setup();
    await keys.newAddress();
    const current = keys.address();
    await keys.restore(await keys.backupPhrase());
    expect(keys.address()).toBe(current);
  });
});

describe('WalletService history', () => {
  it('behavior: read from the address index: only blocks holding the wallet\'s txs are read, once; a tx over several own keys is one entry; a reorg is reflected at once', async () => {
    const { keys, wallet, mine, node, b, built } = await setup();
    const stranger = testKey(9).publicKey;
    await mine(6);
    await mine(30, stranger);
    // Pays another key of the wallet: spends key 0's coin, pays key 1, change to a third key.
    const to = await keys.newAddress();
    const { txid: sendId, fee } = await wallet.send({ to, amount: 3n * COIN });
    await mine(1, stranger);
    await mine(5, stranger);
    const getBlock = vi.spyOn(node.chain, 'getBlock');
    const history = await wallet.history();
    expect(history.map((h) => h.height)).toEqual([37, 6, 5, 4, 3, 2, 1]);
    expect(history[0]).toMatchObject({ txid: sendId, received: 50n * COIN - fee, sent: 50n * COIN, net: -fee, coinbase: false, to: [] });
    expect(getBlock).toHaveBeenCalledTimes(7);
    await wallet.history();
    expect(getBlock).toHaveBeenCalledTimes(7);

    // A longer branch from block 36 without the payment: it goes back to the pool, pending again.
    const fork = b.extend(built[36]!, 7, { extraNonce: 7n, payTo: stranger });
    for (const x of fork) await node.submitBlock(x.block);
    expect(node.tip.hash).toBe(fork[6]!.hash);
    const after = await wallet.history();
    expect(after.map((h) => [h.txid === sendId, h.height])).toEqual([[true, null], ...[6, 5, 4, 3, 2, 1].map((h) => [false, h])]);
    expect(after[0]).toMatchObject({ net: -fee });
  });

  it('behavior: overlapping history calls (one per tip event while mining) list each tx once', async () => {
    const { wallet, mine } = await setup();
    await mine(8);
    const [a, b, c] = await Promise.all([wallet.history(), wallet.history(), wallet.history()]);
    for (const h of [a, b, c]) {
      expect(h).toHaveLength(8);
      expect(new Set(h.map((e) => e.txid)).size).toBe(8);
    }
  });
});
