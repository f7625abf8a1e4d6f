import { describe, expect, it } from 'vitest';
import { MemoryChainStore } from '../chain/memory-chain-store.ts';
import { testParams } from '../consensus/networks.ts';
import { checkProofOfWork } from '../consensus/pow.ts';
import { decodeHeader, encodeHeader } from '../primitives/header.ts';
import { txid } from '../primitives/transaction.ts';
import { ChainBuilder, ManualClock, testKey } from '../testing/chain-builder.ts';
import { MemoryPendingTxStore, type MinerPort, type MinerStatus } from './node-ports.ts';
import { Node } from './node.ts';

/** A miner that searches synchronously on the test network's easy target, a microtask later. */
class FakeMiner implements MinerPort {
  running = false;
  /** When false, templates are taken but nothing is searched. */
  search = true;
  templates = 0;
  private found: ((header: Uint8Array) => void) | undefined;
  private exhausted: (() => void) | undefined;
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
}

const key = testKey(1);

async function openNode(stores = { chainStore: new MemoryChainStore(), pendingStore: new MemoryPendingTxStore() }) {
  const clock = new ManualClock(testParams.genesis.header.time + 100_000);
  const miner = new FakeMiner();
  const node = await Node.open({ params: testParams, ...stores, clock, miner, coinbaseKey: () => key.publicKey });
  return { node, miner, clock, stores };
}

describe('Node', () => {
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

  it('error: mine(0) is refused', async () => {
    const { node } = await openNode();
    await expect(node.mine(0)).rejects.toThrow(RangeError);
  });
});

describe('Node templates', () => {
  it('behavior: a stale template is rebuilt with the newer time, a fresh one is left alone', async () => {
    const clock = new ManualClock(testParams.genesis.header.time + 100_000);
    const miner = new FakeMiner();
    miner.search = false;
    const node = await Node.open({ params: testParams, chainStore: new MemoryChainStore(), clock, miner, coinbaseKey: () => key.publicKey });
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
