import { describe, expect, it } from 'vitest';
import { encodeBlock } from '../primitives/block.ts';
import { encodeTx, type Transaction } from '../primitives/transaction.ts';
import { hexToHash } from '../encoding/hex.ts';
import { ChainBuilder, type BuiltBlock } from '../testing/chain-builder.ts';
import { encodeMessage, decodeMessage } from './wire-codec.ts';
import { splitMessage } from './chunking.ts';
import { compactBlockOf } from './compact-block.ts';
import { shortId, shortIdKey } from './compact-short-ids.ts';
import { txidBytes } from '../primitives/transaction.ts';
import { INV_BLOCK, INV_CMPCT_BLOCK, MIN_PROTOCOL_VERSION, type Message } from './messages.ts';
import { MemoryLink, honestPeer, link, settle, settleUntil, sharedClock, type TestPeer } from '../../../tests/adversary/memory-peers.ts';

/** A link end that can go silent, and that lets a test put forged messages on the wire. */
class TapLink extends MemoryLink {
  declare other: TapLink;
  mute = false;
  override send(chunk: Uint8Array): void {
    if (!this.mute) super.send(chunk);
  }
  /** Puts a message on the wire as if this end's network sent it (even while muted). */
  forge(message: Message, id = 4242): void {
    for (const chunk of splitMessage(encodeMessage(message), id)) this.deliver(chunk);
  }
}

/** The frames (version, type, bytes) an end put on the wire, read from first chunks. */
function framesSent(end: MemoryLink, from = 0): { version: number; type: number; bytes: Uint8Array }[] {
  return end.sent
    .slice(from)
    .filter((c) => c[4] === 0 && c[5] === 0)
    .map((c) => ({ version: c[12 + 4]!, type: c[12 + 5]!, bytes: c.subarray(12) }));
}
const bytesSent = (end: MemoryLink, from = 0) => end.sent.slice(from).reduce((sum, c) => sum + c.length, 0);
const BLOCK = 10;
const GETDATA = 8;
const INV = 7;
const PING = 3;
const PONG = 4;
const HEADERS = 6;
const SENDCMPCT = 14;
const CMPCTBLOCK = 15;
const GETBLOCKTXN = 16;

/**
 * Two peers on a chain whose block 7 fans one coin out into `n` coins, and `n` signed txs
 * spending them (not yet anywhere). A holds the chain; B syncs it.
 */
async function fundedPair(n: number, bOptions: Parameters<typeof honestPeer>[2] = {}) {
  const clock = sharedClock();
  const a = await honestPeer('a', clock);
  const b = await honestPeer('b', clock, bOptions);
  const builder = new ChainBuilder();
  const blocks = builder.extend(builder.genesis, 6);
  const coin = builder.coinbaseOf(blocks[0]!);
  const fan = builder.spend([coin], Array.from({ length: n }, () => coin.output.amount / BigInt(n + 1)));
  blocks.push(builder.next(blocks[5]!, { txs: [fan] }));
  await a.node.chain.processBlocks(blocks.map((x) => x.block));
  const txs: Transaction[] = fan.outputs.map((_, vout) => builder.spend([builder.output(fan, vout)], [fan.outputs[vout]!.amount - 500n]));
  const { ab, ba } = link(a, b, () => new TapLink());
  const peers = [a, b];
  await settleUntil(peers, () => b.node.tip.hash === blocks[6]!.hash, 'B syncs the funding chain');
  return { a, b, ab, ba, builder, blocks, txs, peers };
}

/** A gives B a new block first, so B asks A to push (high bandwidth). */
async function makeHighBandwidth(a: TestPeer, b: TestPeer, builder: ChainBuilder, parent: BuiltBlock, peers: TestPeer[]): Promise<BuiltBlock> {
  const next = builder.next(parent, { extraNonce: 77n });
  await a.node.submitBlock(next.block);
  await settleUntil(peers, () => b.node.tip.hash === next.hash && b.network.highBandwidthPeers().includes(a.identity.peerId), 'B takes A as a high-bandwidth peer');
  return next;
}

describe('compact block relay', () => {
  it('behavior: a block whose txs are in the receiver\'s pool is pushed as a compact block: no inv, no getblocktxn, no block, bytes far below its size', async () => {
    const { a, b, ab, ba, builder, blocks, txs, peers } = await fundedPair(60);
    for (const tx of txs) expect((await a.node.receiveTx(tx)).ok).toBe(true);
    await settleUntil(peers, () => b.node.mempool.size === txs.length, 'the txs reach B\'s pool');
    const parent = await makeHighBandwidth(a, b, builder, blocks[6]!, peers);
    const block = builder.next(parent, { txs });
    const [aFrom, bFrom] = [ab.sent.length, ba.sent.length];
    await a.node.submitBlock(block.block);
    await settleUntil(peers, () => b.node.tip.hash === block.hash, 'B connects the block');
    const aSent = framesSent(ab, aFrom).map((f) => f.type);
    expect(aSent).toContain(CMPCTBLOCK);
    expect(aSent).not.toContain(BLOCK);
    expect(framesSent(ba, bFrom).map((f) => f.type)).not.toContain(GETBLOCKTXN);
    expect(framesSent(ba, bFrom).map((f) => f.type)).not.toContain(GETDATA);
    const size = encodeBlock(block.block).length;
    expect(bytesSent(ab, aFrom) + bytesSent(ba, bFrom)).toBeLessThan(size / 10);
    expect(b.node.mempool.size).toBe(0);
  });

  it('behavior: txs the receiver lacks are asked with one getblocktxn for exactly their positions, then the block connects', async () => {
    const { a, b, ab, ba, builder, blocks, txs, peers } = await fundedPair(12);
    const parent = await makeHighBandwidth(a, b, builder, blocks[6]!, peers);
    // B has every tx but the 3rd and the 8th (positions 3 and 8: the coinbase is position 0).
    ab.mute = true; // so B's relay to A does not matter here
    for (const [i, tx] of txs.entries()) if (i !== 2 && i !== 7) expect((await b.node.receiveTx(tx)).ok).toBe(true);
    ab.mute = false;
    const block = builder.next(parent, { txs });
    const bFrom = ba.sent.length;
    const aFrom = ab.sent.length;
    await a.node.submitBlock(block.block);
    await settleUntil(peers, () => b.node.tip.hash === block.hash, 'B connects the block');
    const asks = framesSent(ba, bFrom).filter((f) => f.type === GETBLOCKTXN);
    expect(asks).toHaveLength(1);
    expect(decodeMessage(asks[0]!.bytes)).toEqual({ type: 'getblocktxn', blockHash: hexToHash(block.hash), indexes: [3, 8] });
    expect(framesSent(ab, aFrom).map((f) => f.type)).not.toContain(BLOCK);
  });

  it('behavior: a compact block that rebuilds to the wrong merkle root (a collision or a lying sender) falls back to the full block, and nobody is banned', async () => {
    const { a, b, ab, builder, blocks, txs, peers } = await fundedPair(7);
    for (const tx of txs) await b.node.receiveTx(tx);
    await settleUntil(peers, () => a.node.mempool.size === txs.length, 'the txs reach A\'s pool');
    const block = builder.next(blocks[6]!, { txs: txs.slice(0, 6) });
    // A has the block but B does not hear of it; then a compact block whose short id at
    // position 2 names a pool tx that is not in the block (txs[6]) arrives from A.
    ab.mute = true;
    await a.node.submitBlock(block.block);
    await settle(peers, 5);
    ab.mute = false;
    const honest = compactBlockOf(block.block, 9n);
    const key = shortIdKey(block.block.header, 9n);
    ab.forge({ ...honest, shortIds: honest.shortIds.map((id, i) => (i === 1 ? shortId(key, txidBytes(txs[6]!)) : id)) });
    const from = ab.sent.length;
    await settleUntil(peers, () => b.node.tip.hash === block.hash, 'B connects the block');
    expect(framesSent(ab, from).map((f) => f.type)).toContain(BLOCK);
    expect(b.network.peerInfo().map((p) => p.id)).toEqual([a.identity.peerId]);
    expect(b.bans.isBanned(a.identity.peerId)).toBe(false);
  });

  it('behavior: a getblocktxn left unanswered past compactTimeout sends the block to the full-block download, without a ban', async () => {
    const { a, b, ab, ba, builder, blocks, txs, peers } = await fundedPair(3, { compactTimeout: 300 });
    const block = builder.next(blocks[6]!, { txs });
    // A has the block; everything it sends is lost until B has asked for the txs.
    ab.mute = true;
    await a.node.submitBlock(block.block);
    const from = ba.sent.length;
    ab.forge(compactBlockOf(block.block, 5n));
    await settleUntil(peers, () => framesSent(ba, from).some((f) => f.type === GETBLOCKTXN), 'B asks for the txs');
    await settle(peers, 5);
    ab.mute = false;
    const aFrom = ab.sent.length;
    await settleUntil(peers, () => b.node.tip.hash === block.hash, 'B connects the block');
    const bFrames = framesSent(ba, from);
    const asked = bFrames.findIndex((f) => f.type === GETBLOCKTXN);
    const fetched = bFrames.slice(asked).filter((f) => f.type === GETDATA).map((f) => decodeMessage(f.bytes));
    expect(fetched).toContainEqual({ type: 'getdata', items: [{ kind: INV_BLOCK, hash: hexToHash(block.hash) }] });
    expect(framesSent(ab, aFrom).map((f) => f.type)).toContain(BLOCK);
    expect(b.bans.isBanned(a.identity.peerId)).toBe(false);
  });

  it('behavior: a peer of protocol version 2 links, gets only version 2 frames, and gets the block as an inv and a full block', async () => {
    const { a, b, ab, builder, blocks, txs, peers } = await fundedPair(10, { protocolVersion: MIN_PROTOCOL_VERSION });
    for (const tx of txs) await a.node.receiveTx(tx);
    await settleUntil(peers, () => b.node.mempool.size === txs.length, 'the txs reach B\'s pool');
    const parent = builder.next(blocks[6]!);
    await a.node.submitBlock(parent.block);
    await settleUntil(peers, () => b.node.tip.hash === parent.hash, 'B follows');
    const block = builder.next(parent, { txs });
    const from = ab.sent.length;
    await a.node.submitBlock(block.block);
    await settleUntil(peers, () => b.node.tip.hash === block.hash, 'B connects the block');
    expect(framesSent(ab, from).map((f) => f.type)).toContain(BLOCK);
    expect(framesSent(ab).every((f) => f.version === 2)).toBe(true);
    expect(framesSent(ab).map((f) => f.type)).not.toContain(SENDCMPCT);
    expect(a.network.highBandwidthPeers()).toEqual([]);
    expect(b.network.highBandwidthPeers()).toEqual([]);
  });

  it('behavior: the three peers that last gave a new block first are the high-bandwidth ones; the one pushed out is told to stop', async () => {
    const clock = sharedClock();
    const hub = await honestPeer('hub', clock);
    const spokes = await Promise.all([1, 2, 3, 4].map((i) => honestPeer(`p${i}`, clock)));
    const peers = [hub, ...spokes];
    const links = spokes.map((s) => link(hub, s, () => new TapLink()));
    await settleUntil(peers, () => hub.network.readyPeerIds().length === 4, 'the hub links to every spoke');
    const builder = new ChainBuilder();
    let tip = builder.genesis;
    for (const spoke of spokes) {
      tip = builder.next(tip);
      await spoke.node.submitBlock(tip.block);
      const hash = tip.hash;
      await settleUntil(peers, () => peers.every((p) => p.node.tip.hash === hash), 'everyone has the block');
    }
    const ids = spokes.map((s) => s.identity.peerId);
    expect(hub.network.highBandwidthPeers()).toEqual([ids[3], ids[2], ids[1]]);
    // What the hub told the first spoke: push (after its block), then stop (after the fourth).
    const told = framesSent(links[0]!.ab)
      .filter((f) => f.type === SENDCMPCT)
      .map((f) => decodeMessage(f.bytes));
    expect(told).toEqual([
      { type: 'sendcmpct', highBandwidth: false, version: 1 },
      { type: 'sendcmpct', highBandwidth: true, version: 1 },
      { type: 'sendcmpct', highBandwidth: false, version: 1 },
    ]);
    // The first spoke now announces with an inv, and the hub, one block behind, asks the block as
    // a compact block (low bandwidth); the hub pushes to the fourth a compact block (the fourth
    // took the hub as a high-bandwidth peer: the hub gave it blocks first).
    const [first, toFirst, toFourth] = [links[0]!.ba, links[0]!.ab, links[3]!.ab];
    const marks = [first.sent.length, toFourth.sent.length, toFirst.sent.length];
    tip = builder.next(tip);
    await spokes[0]!.node.submitBlock(tip.block);
    const hash = tip.hash;
    await settleUntil(peers, () => peers.every((p) => p.node.tip.hash === hash), 'everyone has the next block');
    expect(framesSent(first, marks[0]).map((f) => f.type).filter((t) => t !== PING && t !== PONG)).toEqual([INV, HEADERS, CMPCTBLOCK]);
    const asked = framesSent(toFirst, marks[2]).filter((f) => f.type === GETDATA).map((f) => decodeMessage(f.bytes));
    expect(asked).toEqual([{ type: 'getdata', items: [{ kind: INV_CMPCT_BLOCK, hash: hexToHash(hash) }] }]);
    expect(hub.network.highBandwidthPeers()).toEqual([ids[0], ids[3], ids[2]]);
    expect(framesSent(toFourth, marks[1]).map((f) => f.type)).toContain(CMPCTBLOCK);
    expect(framesSent(toFourth, marks[1]).map((f) => f.type)).not.toContain(BLOCK);
  });

  it('behavior: blocks downloaded in a sync do not make their sender a high-bandwidth peer; a new block relayed afterwards does', async () => {
    const { a, b, builder, blocks, peers } = await fundedPair(2);
    // B synced seven blocks from A in a batch: catching up, not relay.
    expect(b.network.highBandwidthPeers()).toEqual([]);
    await makeHighBandwidth(a, b, builder, blocks[6]!, peers);
    expect(b.network.highBandwidthPeers()).toEqual([a.identity.peerId]);
  });

  it('error: a compact block without its coinbase prefilled gets its sender banned', async () => {
    const { a, b, ab, builder, blocks, peers } = await fundedPair(2);
    const block = builder.next(blocks[6]!);
    const m = compactBlockOf(block.block, 1n);
    ab.forge({ ...m, shortIds: [...m.shortIds, 5], prefilled: [{ index: 1, tx: m.prefilled[0]!.tx }] });
    await settleUntil(peers, () => b.bans.isBanned(a.identity.peerId), 'A is banned');
  });

  it('error: a blocktxn that does not match the request gets its sender banned; one nobody asked for is ignored', async () => {
    const { a, b, ab, ba, builder, blocks, txs, peers } = await fundedPair(4);
    // Unasked: ignored.
    ab.forge({ type: 'blocktxn', blockHash: new Uint8Array(32).fill(1), txs: [encodeTx(txs[0]!)] });
    await settle(peers, 10);
    expect(b.network.peerInfo()).toHaveLength(1);
    // B lacks every tx: it asks for positions 1-4; A (forged) answers with one tx.
    const block = builder.next(blocks[6]!, { txs });
    ab.mute = true;
    await a.node.submitBlock(block.block);
    await settle(peers, 5);
    const from = ba.sent.length;
    ab.forge(compactBlockOf(block.block, 3n));
    await settleUntil(peers, () => framesSent(ba, from).some((f) => f.type === GETBLOCKTXN), 'B asks for the txs');
    // A stays muted: only the forged answer reaches B.
    ab.forge({ type: 'blocktxn', blockHash: hexToHash(block.hash), txs: [encodeTx(txs[0]!)] });
    await settleUntil(peers, () => b.bans.isBanned(a.identity.peerId), 'A is banned');
  });

  it('error: a getblocktxn for positions the block does not have gets its sender banned', async () => {
    const { a, b, ba, blocks, peers } = await fundedPair(2);
    ba.forge({ type: 'getblocktxn', blockHash: hexToHash(blocks[6]!.hash), indexes: [1, 2] });
    await settleUntil(peers, () => a.bans.isBanned(b.identity.peerId), 'B is banned');
  });
});
