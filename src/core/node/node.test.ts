import { describe, expect, it } from 'vitest';
import { MemoryChainStore } from '../chain/memory-chain-store.ts';
import { regtestParams } from '../consensus/networks.ts';
import { checkProofOfWork } from '../consensus/pow.ts';
import { decodeHeader, encodeHeader } from '../primitives/header.ts';
import { encodeTx, txid } from '../primitives/transaction.ts';
import { ChainBuilder, ManualClock, testKey } from '../testing/chain-builder.ts';
import type { MinerPort, MinerStatus } from '../ports/miner-port.ts';
import { MemoryPendingTxStore, type PendingLimits } from './pending-tx-store.ts';
import { Node } from './node.ts';

/** A miner that searches synchronously on the test network's easy target, a microtask later. */
class FakeMiner implements MinerPort {
  running = false;
  /** When false, templates are taken but nothing is searched. */
  search = true;
  templates = 0;
  private found: ((header: Uint8Array) => void) | undefined;
  private exhausted: (() => void) | undefined;
  failed: ((error: Error) => void) | undefined;
  setTemplate(header: Uint8Array): void {
    this.templates++;
    const copy = header.slice();
    queueMicrotask(() => {
      if (!this.running || !this.search) return;
      for (let nonce = 0; nonce < 1000; nonce++) {
        const h = { ...decodeHeader(copy), nonce };
        if (checkProofOfWork(h)) return this.found?.(encodeHeader(h));
      }
      this.exhausted?.();
    });
  }
  start(): void {
    this.running = true;
  }
  stop(): void {
    this.running = false;
  }
  status(): MinerStatus {
    return { running: this.running, workers: this.running ? 1 : 0, hashrate: 0, perWorker: [] };
  }
  onFound(handler: (header: Uint8Array) => void): void {
    this.found = handler;
  }
  onExhausted(handler: () => void): void {
    this.exhausted = handler;
  }
  onFailed(handler: (error: Error) => void): void {
    this.failed = handler;
  }
}

const key = testKey(1);

async function openNode(stores = { chainStore: new MemoryChainStore(), pendingStore: new MemoryPendingTxStore() }, pendingLimits?: PendingLimits) {
  const clock = new ManualClock(regtestParams.genesis.header.time + 100_000);
  const miner = new FakeMiner();
  const node = await Node.open({ params: regtestParams, ...stores, clock, miner, coinbaseKey: () => key.publicKey, ...(pendingLimits ? { pendingLimits } : {}) });
  return { node, miner, clock, stores };
}

describe('Node', () => {
  it('behavior: regtest mines 500 blocks in one call, all at the genesis bits and none beyond the future-time bound', async () => {
    const { node, clock } = await openNode();
    const hashes = await node.mine(500);
    expect(hashes).toHaveLength(500);
    expect(node.tip.height).toBe(500);
    for (const height of [1, 250, 500]) {
      const { header } = node.chain.entryAt(height)!;
      expect(header.bits).toBe(regtestParams.genesis.header.bits);
      expect(header.time - clock.now()).toBeLessThanOrEqual(regtestParams.maxFutureBlockTime);
    }
  });

  it('behavior: mine(n) mines n blocks paying the coinbase key, then stops the miner', async () => {
    const { node, miner } = await openNode();
    const found: string[] = [];
    node.on('block-found', (e) => found.push(e.hash));
    const hashes = await node.mine(3);
    expect(hashes).toHaveLength(3);
    expect(found).toEqual(hashes);
    expect(node.tip.height).toBe(3);
    expect(node.tip.hash).toBe(hashes[2]);
    expect(miner.running).toBe(false);
    const block = (await node.chain.getBlock(hashes[0]!))!;
    expect(block.txs[0]!.outputs[0]!.publicKey).toEqual(key.publicKey);
  });

  it('behavior: the txs a block confirms leave the pending store in one delete, not one store call per tx', async () => {
    const { node, stores } = await openNode();
    const b = new ChainBuilder();
    const blocks = b.extend(b.genesis, 8);
    await node.chain.processBlocks(blocks.map((x) => x.block));
    const txs = [0, 1, 2].map((i) => b.spend([b.coinbaseOf(blocks[i]!)], [49n * 100_000_000n]));
    for (const tx of txs) expect((await node.receiveTx(tx)).ok).toBe(true);
    await Promise.resolve();
    expect(stores.pendingStore.txs.size).toBe(3);
    const deletes: string[][] = [];
    const deleteAll = stores.pendingStore.delete.bind(stores.pendingStore);
    stores.pendingStore.delete = (ids) => {
      deletes.push([...ids]);
      return deleteAll(ids);
    };
    const confirming = b.next(blocks[blocks.length - 1]!, { txs });
    expect((await node.submitBlock(confirming.block)).status).toBe('connected');
    await node.mempool.accept(txs[0]!); // serialises after the pool's tip handling
    await Promise.resolve();
    expect(node.mempool.size).toBe(0);
    expect(deletes).toEqual([txs.map((tx) => txid(tx))]);
    expect(stores.pendingStore.txs.size).toBe(0);
  });

  it('behavior: a mined block includes pool txs and they leave the pool and the pending store', async () => {
    const { node, stores } = await openNode();
    const b = new ChainBuilder();
    const blocks = b.extend(b.genesis, 6);
    await node.chain.processBlocks(blocks.map((x) => x.block));
    const tx = b.spend([b.coinbaseOf(blocks[0]!)], [49n * 100_000_000n]);
    const result = await node.submitTx(tx);
    expect(result.ok).toBe(true);
    expect(stores.pendingStore.txs.size).toBe(1);
    const [hash] = await node.mine(1);
    const block = (await node.chain.getBlock(hash!))!;
    expect(block.txs).toHaveLength(2);
    await node.mempool.accept(tx); // serialises after the pool's tip handling
    expect(node.mempool.size).toBe(0);
    await Promise.resolve();
    expect(stores.pendingStore.txs.size).toBe(0);
  });

  it('behavior: pending txs survive a restart, and a tx with unknown inputs waits in the store', async () => {
    const first = await openNode();
    const b = new ChainBuilder();
    const blocks = b.extend(b.genesis, 7);
    await first.node.chain.processBlocks(blocks.map((x) => x.block));
    const tx = b.spend([b.coinbaseOf(blocks[0]!)], [49n * 100_000_000n]);
    const orphan = b.spend([b.coinbaseOf(b.next(blocks[6]!))], [1n * 100_000_000n]);
    expect((await first.node.submitTx(tx)).ok).toBe(true);
    const missing = await first.node.submitTx(orphan);
    expect(!missing.ok && missing.code).toBe('missing-inputs');
    expect(first.stores.pendingStore.txs.size).toBe(2);

    const second = await openNode(first.stores);
    expect(second.node.tip.hash).toBe(blocks[6]!.hash);
    expect(second.node.mempool.size).toBe(1);
    expect(second.node.mempool.has(txid(tx))).toBe(true);
    expect(second.stores.pendingStore.txs.size).toBe(2);
  });

  it('behavior: a found header for an older template is ignored', async () => {
    const { node, miner } = await openNode();
    miner.search = false;
    node.startMining(1);
    expect(miner.templates).toBe(1);
    // A mined header of another template (it pays someone else) is handed in.
    const other = node.blockTemplate(testKey(2).publicKey);
    let nonce = 0;
    while (!checkProofOfWork({ ...other.header, nonce })) nonce++;
    (miner as unknown as { found: (h: Uint8Array) => void }).found(encodeHeader({ ...other.header, nonce }));
    await new Promise((r) => setTimeout(r, 0));
    node.stopMining();
    expect(node.tip.height).toBe(0);
  });

  it('behavior: overlapping mine() calls share one run and the miner stops when both are served', async () => {
    const { node, miner } = await openNode();
    const [a, b] = await Promise.all([node.mine(2), node.mine(1)]);
    expect(new Set([...a, ...b]).size).toBe(3);
    expect(node.tip.height).toBe(3);
    expect(miner.running).toBe(false);
    expect(node.isMining).toBe(false);
  });

  it('behavior: mine() while the user mines leaves the miner running; mining started during mine() keeps running', async () => {
    const { node, miner } = await openNode();
    miner.search = false;
    node.startMining(1);
    miner.search = true;
    await node.mine(1);
    expect(node.isMining).toBe(true);
    node.stopMining();

    const done = node.mine(2);
    node.startMining(1); // the user starts mining while mine() runs
    await done;
    expect(node.isMining).toBe(true);
    node.stopMining();
  });

  it('error: an accepted tx whose save fails is reported to the caller; a failing delete is an error event, not an unhandled rejection', async () => {
    const pendingStore = new MemoryPendingTxStore();
    const { node } = await openNode({ chainStore: new MemoryChainStore(), pendingStore });
    const b = new ChainBuilder();
    const blocks = b.extend(b.genesis, 6);
    await node.chain.processBlocks(blocks.map((x) => x.block));
    const errors: unknown[] = [];
    node.on('error', (e) => errors.push(e.error));
    const full = new Error('disk full');
    pendingStore.put = () => Promise.reject(full);
    pendingStore.delete = () => Promise.reject(full);
    const tx = b.spend([b.coinbaseOf(blocks[0]!)], [49n * 100_000_000n]);
    await expect(node.submitTx(tx)).rejects.toBe(full);
    await node.mine(1); // the tx leaves the pool: its delete fails too
    await new Promise((r) => setTimeout(r, 0));
    expect(errors).toContain(full);
  });

  it('error: a miner that cannot work ends mine() with its reason, stops, and says so in an error event', async () => {
    const { node, miner } = await openNode();
    miner.search = false;
    const errors: unknown[] = [];
    node.on('error', (e) => errors.push(e.error));
    const mining = node.mine(2);
    await Promise.resolve();
    expect(miner.running).toBe(true);
    miner.failed!(new Error('a miner worker could not be started'));
    await expect(mining).rejects.toThrow('could not be started');
    expect(miner.running).toBe(false);
    expect(errors).toHaveLength(1);
    expect(node.minerStatus().running).toBe(false);
  });

  it('error: mine(0) is refused', async () => {
    const { node } = await openNode();
    await expect(node.mine(0)).rejects.toThrow(RangeError);
  });
});

describe('Node templates', () => {
  it('behavior: a stale template is rebuilt with the newer time, a fresh one is left alone', async () => {
    const clock = new ManualClock(regtestParams.genesis.header.time + 100_000);
    const miner = new FakeMiner();
    miner.search = false;
    const node = await Node.open({ params: regtestParams, chainStore: new MemoryChainStore(), clock, miner, coinbaseKey: () => key.publicKey });
    node.startMining(1);
    expect(miner.templates).toBe(1);
    clock.time += 2;
    node.refreshStaleTemplate();
    expect(miner.templates).toBe(1);
    clock.time += 5;
    node.refreshStaleTemplate();
    expect(miner.templates).toBe(2);
    node.stopMining();
    node.refreshStaleTemplate();
    expect(miner.templates).toBe(2);
  });
});

/** A node on 12 blocks whose first 7 coinbases are mature: txs spending them enter the pool. */
async function fundedNode(pendingLimits?: PendingLimits) {
  const opened = await openNode(undefined, pendingLimits);
  const b = new ChainBuilder();
  const blocks = b.extend(b.genesis, 12);
  await opened.node.chain.processBlocks(blocks.map((x) => x.block));
  /** A valid tx spending block i's coinbase. */
  const payment = (i: number) => b.spend([b.coinbaseOf(blocks[i]!)], [49n * 100_000_000n]);
  /** A tx spending output i of a block this node never saw: its inputs are unknown. */
  const unseen = b.coinbaseOf(b.next(blocks[11]!, { extraNonce: 1n }));
  const orphan = (i: number) => b.spend([{ ...unseen, vout: i }], [1n * 100_000_000n]);
  return { ...opened, b, blocks, payment, orphan };
}

/** Lets the fire-and-forget store writes after events land. */
const settleWrites = () => new Promise((r) => setTimeout(r, 0));

describe('Node: bounded storage for what peers send (issue 11)', () => {
  it('error: 324 relayed txs with unknown inputs are never written; the in-memory orphan pool keeps at most 100', async () => {
    const { node, stores, orphan } = await fundedNode();
    for (let i = 0; i < 324; i++) {
      const result = await node.receiveTx(orphan(i));
      expect(!result.ok && result.code).toBe('missing-inputs');
    }
    await settleWrites();
    expect(stores.pendingStore.txs.size).toBe(0);
    expect(node.mempool.orphanCount).toBe(100);
  }, 30_000);

  it('behavior: a relayed tx the pool accepts is persisted as a peer\'s; the user\'s own tx with unknown inputs is persisted as own', async () => {
    const { node, stores, payment, orphan } = await fundedNode();
    const relayed = payment(0);
    expect((await node.receiveTx(relayed)).ok).toBe(true);
    const mine = orphan(0);
    expect(await node.submitTx(mine)).toMatchObject({ ok: false, code: 'missing-inputs' });
    await settleWrites();
    expect(stores.pendingStore.txs.get(txid(relayed))?.own).toBe(false);
    expect(stores.pendingStore.txs.get(txid(mine))?.own).toBe(true);
  });

  it('behavior: the store keeps at most maxTxs: peers\' txs go first, oldest first; the user\'s own are kept', async () => {
    const { node, stores, clock, payment, orphan } = await fundedNode({ maxTxs: 3, maxBytes: 1_000_000 });
    const own = orphan(0);
    await node.submitTx(own);
    const relayed = [0, 1, 2, 3].map(payment);
    for (const tx of relayed) {
      clock.time += 10;
      expect((await node.receiveTx(tx)).ok).toBe(true);
      await settleWrites();
    }
    expect([...stores.pendingStore.txs.keys()].sort()).toEqual([txid(own), txid(relayed[2]!), txid(relayed[3]!)].sort());
    // Evicted from the store only: the pool still relays and mines them.
    expect(node.mempool.size).toBe(4);
    // More own txs than the store holds: the oldest own goes once no peer's tx is left.
    for (let i = 1; i <= 3; i++) {
      clock.time += 10;
      await node.submitTx(orphan(i));
    }
    expect([...stores.pendingStore.txs.values()].every((t) => t.own)).toBe(true);
    expect(stores.pendingStore.txs.has(txid(own))).toBe(false);
    expect(stores.pendingStore.txs.size).toBe(3);
  });

  it('behavior: the store keeps at most maxBytes of txs, evicting the oldest peer txs', async () => {
    const { node, stores, clock, payment } = await fundedNode({ maxTxs: 1000, maxBytes: 1 });
    const size = encodeTx(payment(0)).length;
    const bounded = await fundedNode({ maxTxs: 1000, maxBytes: 2 * size });
    for (let i = 0; i < 5; i++) {
      bounded.clock.time += 10;
      await bounded.node.receiveTx(bounded.payment(i));
      await settleWrites();
    }
    const kept = [...bounded.stores.pendingStore.txs.values()];
    expect(kept.map((t) => t.txid).sort()).toEqual([txid(bounded.payment(3)), txid(bounded.payment(4))].sort());
    expect(kept.reduce((sum, t) => sum + t.bytes.length, 0)).toBeLessThanOrEqual(2 * size);
    // A budget smaller than one tx: nothing a peer sends is written.
    clock.time += 10;
    expect((await node.receiveTx(payment(1))).ok).toBe(true);
    await settleWrites();
    expect(stores.pendingStore.txs.size).toBe(0);
  });

  it('behavior: on restart, peers\' txs still missing inputs (written by an older version) are dropped, the user\'s kept, and the store trimmed to its limits', async () => {
    const first = await fundedNode();
    const mine = first.orphan(0);
    await first.node.submitTx(mine);
    const store = first.stores.pendingStore;
    // What an older version wrote for a peer's orphan, and for relayed txs beyond the limits.
    const peerOrphan = first.orphan(1);
    await store.put(txid(peerOrphan), encodeTx(peerOrphan), first.clock.now(), false);
    const legacy = first.orphan(2);
    store.txs.set(txid(legacy), { txid: txid(legacy), bytes: encodeTx(legacy), time: first.clock.now() });
    const relayed = [0, 1, 2].map(first.payment);
    relayed.forEach((tx, i) => void store.put(txid(tx), encodeTx(tx), first.clock.now() - 100 + i, false));

    const second = await openNode(first.stores, { maxTxs: 3, maxBytes: 1_000_000 });
    await settleWrites();
    // Kept: the user's tx, the legacy record (it may be a payment signed offline, so it waits;
    // it ranks as a peer's), the newest relayed tx.
    expect([...store.txs.keys()].sort()).toEqual([txid(mine), txid(legacy), txid(relayed[2]!)].sort());
    expect(second.node.mempool.size).toBe(3);
  });
});
