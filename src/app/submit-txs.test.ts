/**
 * `submitTxs` (sendrawtransaction): raw txs offered to a node's pool, each with its own outcome,
 * in order; bad input refused per tx or, for a non-array, with an InputError.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, encodeTx, MemoryChainStore, MemoryPendingTxStore, Node, regtestParams, txid } from '../core/index.ts';
import { ChainBuilder, ManualClock } from '../core/testing/chain-builder.ts';
import { submitHexTxs } from './submit-txs.ts';
import { TabchainError } from './tabchain-error.ts';

async function nodeWithCoins() {
  const builder = new ChainBuilder(regtestParams);
  const blocks = builder.extend(builder.genesis, regtestParams.coinbaseMaturity + 2);
  const clock = new ManualClock(blocks[blocks.length - 1]!.block.header.time + 10);
  const node = await Node.open({ params: regtestParams, chainStore: new MemoryChainStore(), pendingStore: new MemoryPendingTxStore(), clock });
  await node.chain.processBlocks(blocks.map((b) => b.block));
  return { builder, blocks, node };
}

describe('submitTxs', () => {
  it('behavior: a valid tx and its child are accepted in order, one with unknown inputs waits as an orphan; the pool holds them, nothing is stored', async () => {
    const { builder, blocks, node } = await nodeWithCoins();
    const parent = builder.spend([builder.coinbaseOf(blocks[0]!)], [40n * 100_000_000n]);
    const child = builder.spend([builder.output(parent, 0)], [39n * 100_000_000n]);
    const stranger = new ChainBuilder(regtestParams);
    const unknown = stranger.spend([stranger.coinbaseOf(stranger.next(stranger.genesis, { extraNonce: 9n }))], [1n]);
    const outcomes = await submitHexTxs(node, [parent, child, unknown].map((tx) => bytesToHex(encodeTx(tx))));
    expect(outcomes).toEqual([
      { status: 'accepted', txid: txid(parent) },
      { status: 'accepted', txid: txid(child) },
      { status: 'orphan', txid: txid(unknown), code: 'missing-inputs', message: expect.any(String) },
    ]);
    expect(node.mempool.has(txid(parent)) && node.mempool.has(txid(child))).toBe(true);
    expect(node.mempool.has(txid(unknown))).toBe(false);
  });

  it('error: bad hex, bytes that do not decode and a bad signature are refused each with its reason; the others still go in', async () => {
    const { builder, blocks, node } = await nodeWithCoins();
    const good = builder.spend([builder.coinbaseOf(blocks[1]!)], [1n]);
    const forged = builder.spend([builder.coinbaseOf(blocks[2]!)], [1n]);
    const bytes = encodeTx(forged);
    // Flip a bit inside the last signature (the memo length follows it: one zero byte).
    bytes[bytes.length - 2]! ^= 1;
    const outcomes = await submitHexTxs(node, ['zz', '0', bytesToHex(encodeTx(good)) + '00', bytesToHex(bytes), bytesToHex(encodeTx(good))]);
    expect(outcomes.map((o) => [o.status, o.code])).toEqual([
      ['rejected', 'bad-encoding'],
      ['rejected', 'bad-encoding'],
      ['rejected', 'bad-encoding'],
      ['rejected', expect.stringMatching(/sig/)],
      ['accepted', undefined],
    ]);
    expect(node.mempool.has(txid(good))).toBe(true);
    await expect(submitHexTxs(node, 'ab')).rejects.toSatisfy((e: unknown) => TabchainError.is(e, 'InputError') && e.field === 'hexes');
  });
});
