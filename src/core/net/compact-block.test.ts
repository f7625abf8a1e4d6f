import { describe, expect, it } from 'vitest';
import { regtestParams } from '../consensus/networks.ts';
import { encodeBlock } from '../primitives/block.ts';
import { encodeTx, txidBytes, type Transaction } from '../primitives/transaction.ts';
import { ChainBuilder, type BuiltBlock } from '../testing/chain-builder.ts';
import { compactBlockOf, startReconstruction, type KnownTx } from './compact-block.ts';
import { shortId, shortIdKey } from './compact-short-ids.ts';
import { encodeMessage } from './wire-codec.ts';

const limits = regtestParams.limits;
const known = (txs: readonly Transaction[]): KnownTx[] => txs.map((tx) => ({ tx, txid: txidBytes(tx) }));

/** A block of `n` signed txs on a short chain, and the txs. */
function blockWith(n: number): { built: BuiltBlock; txs: Transaction[] } {
  const builder = new ChainBuilder();
  const funding = builder.extend(builder.genesis, n);
  const txs = funding.map((b) => builder.spend([builder.coinbaseOf(b)], [1_000n]));
  return { built: builder.next(funding[funding.length - 1]!, { txs }), txs };
}

describe('compact blocks', () => {
  it('behavior: the compact form is the coinbase and one 6-byte short id per other tx, far below the block', () => {
    const { built, txs } = blockWith(40);
    const m = compactBlockOf(built.block, 5n);
    expect(m.prefilled).toEqual([{ index: 0, tx: encodeTx(built.block.txs[0]!) }]);
    const key = shortIdKey(built.block.header, 5n);
    expect(m.shortIds).toEqual(txs.map((tx) => shortId(key, txidBytes(tx))));
    expect(encodeMessage(m).length).toBeLessThan(encodeBlock(built.block).length / 10);
  });

  it('behavior: a receiver holding every tx rebuilds the exact block with nothing missing, in any pool order', () => {
    const { built, txs } = blockWith(25);
    const result = startReconstruction(compactBlockOf(built.block, 1n), limits, known([...txs].reverse()));
    expect(result.kind).toBe('partial');
    if (result.kind !== 'partial') return;
    expect(result.partial.missing()).toEqual([]);
    expect(result.partial.block()).toEqual(built.block);
  });

  it('behavior: txs the pool lacks are the missing positions; filling them in order gives the block', () => {
    const { built, txs } = blockWith(10);
    const result = startReconstruction(compactBlockOf(built.block, 1n), limits, known(txs.filter((_, i) => i % 3 !== 0)));
    if (result.kind !== 'partial') throw new Error(result.kind);
    // Block positions are tx index + 1 (the coinbase is position 0).
    expect(result.partial.missing()).toEqual([1, 4, 7, 10]);
    expect(result.partial.fill([txs[0]!, txs[3]!])).toBe(false);
    expect(result.partial.missing()).toEqual([1, 4, 7, 10]);
    expect(result.partial.fill([txs[0]!, txs[3]!, txs[6]!, txs[9]!])).toBe(true);
    expect(result.partial.block()).toEqual(built.block);
  });

  it('behavior: positions a relaying node had to fetch are sent whole (prefilled) and found without the pool; the others stay short ids', () => {
    const { built, txs } = blockWith(10);
    const m = compactBlockOf(built.block, 3n, new Set([4, 7]));
    expect(m.prefilled.map((p) => p.index)).toEqual([0, 4, 7]);
    expect(m.shortIds).toHaveLength(8);
    // The next hop lacks exactly the prefilled txs: nothing is missing.
    const result = startReconstruction(m, limits, known(txs.filter((_, i) => i !== 3 && i !== 6)));
    if (result.kind !== 'partial') throw new Error(result.kind);
    expect(result.partial.missing()).toEqual([]);
    expect(result.partial.block()).toEqual(built.block);
  });

  it('behavior: wrong txs for the missing positions (a lying sender) give a merkle mismatch, not a block', () => {
    const { built, txs } = blockWith(6);
    const result = startReconstruction(compactBlockOf(built.block, 1n), limits, known(txs.slice(1)));
    if (result.kind !== 'partial') throw new Error(result.kind);
    expect(result.partial.fill([txs[2]!])).toBe(true);
    expect(result.partial.block()).toBe('mismatch');
  });

  it('behavior: a pool tx whose short id takes a position gives a mismatch; two pool txs claiming one position leave it missing', () => {
    const { built, txs } = blockWith(5);
    const m = compactBlockOf(built.block, 1n);
    const key = shortIdKey(built.block.header, 1n);
    const builder = new ChainBuilder();
    const stranger = builder.spend([builder.coinbaseOf(builder.next(builder.genesis))], [5n], { memo: new Uint8Array([9]) });
    // The stranger's short id stands at position 2 (as a chance collision with a pool tx would).
    const foreign = { ...m, shortIds: m.shortIds.map((id, i) => (i === 1 ? shortId(key, txidBytes(stranger)) : id)) };
    const taken = startReconstruction(foreign, limits, known([...txs, stranger]));
    if (taken.kind !== 'partial') throw new Error(taken.kind);
    expect(taken.partial.missing()).toEqual([]);
    expect(taken.partial.block()).toBe('mismatch');
    // A second pool tx whose short id equals txs[1]'s (paired here with txs[1]'s id to force it).
    const contested = startReconstruction(m, limits, [...known(txs), { tx: stranger, txid: txidBytes(txs[1]!) }]);
    if (contested.kind !== 'partial') throw new Error(contested.kind);
    expect(contested.partial.missing()).toEqual([2]);
    expect(contested.partial.fill([txs[1]!])).toBe(true);
    expect(contested.partial.block()).toEqual(built.block);
  });

  it('error: a message repeating a short id is a collision (fetched whole, nobody banned)', () => {
    const { built } = blockWith(3);
    const m = compactBlockOf(built.block, 1n);
    expect(startReconstruction({ ...m, shortIds: [m.shortIds[0]!, m.shortIds[0]!, m.shortIds[2]!] }, limits, [])).toEqual({ kind: 'collision' });
  });

  it('error: no coinbase at position 0, more txs than a block holds, or a prefilled tx that does not decode is invalid', () => {
    const { built } = blockWith(3);
    const m = compactBlockOf(built.block, 1n);
    const coinbase = m.prefilled[0]!.tx;
    expect(startReconstruction({ ...m, prefilled: [{ index: 1, tx: coinbase }] }, limits, [])).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/coinbase/) });
    expect(startReconstruction({ ...m, prefilled: [] }, limits, [])).toMatchObject({ kind: 'invalid' });
    const tooMany = Array.from({ length: Math.floor(limits.maxBlockSize / 19) + 1 }, (_, i) => i);
    expect(startReconstruction({ ...m, shortIds: tooMany }, limits, [])).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/more than a block holds/) });
    expect(startReconstruction({ ...m, prefilled: [{ index: 0, tx: coinbase.subarray(0, 5) }] }, limits, [])).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/malformed prefilled tx/) });
  });
});
