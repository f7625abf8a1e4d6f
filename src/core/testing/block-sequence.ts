/**
 * @module A scripted sequence of blocks on the test network, in the spirit of btcd's
 * `blockchain/fullblocktests`: forks, reorgs there and back, orphans, and blocks that break one
 * rule each, every step labelled with the outcome it must have and the tip expected after it.
 *
 * The same steps serve the chain's unit tests and, encoded as bytes, the network tests: replay
 * them into any node (directly or through a peer) and it must end on {@link BlockSequence.finalTip}.
 * Block times start at the test genesis time, so a real clock accepts every block.
 */
import { regtestParams } from '../consensus/networks.ts';
import type { NetworkParams } from '../consensus/params.ts';
import type { RejectCode } from '../consensus/rejection.ts';
import { bytesToHex } from '../encoding/hex.ts';
import { encodeBlock, type Block } from '../primitives/block.ts';
import type { Transaction } from '../primitives/transaction.ts';
import { blockHash } from '../primitives/header.ts';
import { COIN } from '../consensus/params.ts';
import { ChainBuilder, mineHeader, unmineHeader, type BuiltBlock } from './chain-builder.ts';

export type StepOutcome = 'connected' | 'side-chain' | 'orphan' | 'rejected' | 'known';

export interface SequenceStep {
  /** What the step shows, e.g. "b10 coinbase pays one unit too much". */
  readonly name: string;
  /** The block, canonically encoded (as it would cross the network). */
  readonly block: Uint8Array;
  readonly hash: string;
  readonly expect: StepOutcome;
  /** The reason code, for rejected blocks. */
  readonly code?: RejectCode;
  /** Tip hash and height after the step. */
  readonly tip: string;
  readonly tipHeight: number;
}

export interface BlockSequence {
  readonly params: NetworkParams;
  readonly steps: readonly SequenceStep[];
  readonly finalTip: string;
  readonly finalHeight: number;
  /** A clock value (unix seconds) at which no block of the sequence is too far in the future. */
  readonly earliestClock: number;
}

/** Builds the sequence. Deterministic: the same bytes every time. */
export function generateBlockSequence(): BlockSequence {
  const b = new ChainBuilder(regtestParams);
  const steps: SequenceStep[] = [];
  let tip: BuiltBlock = b.genesis;
  let latestTime = regtestParams.genesis.header.time;

  const step = (name: string, built: BuiltBlock | Block, expect: StepOutcome, opts: { code?: RejectCode; tip?: BuiltBlock } = {}): void => {
    const block = 'block' in built ? built.block : built;
    const hash = blockHash(block.header);
    if (opts.tip) tip = opts.tip;
    latestTime = Math.max(latestTime, block.header.time);
    steps.push({ name, block: encodeBlock(block), hash, expect, ...(opts.code ? { code: opts.code } : {}), tip: tip.hash, tipHeight: tip.height });
  };
  /** Spends a whole output to the builder's key, minus a fee. */
  const pay = (from: ReturnType<ChainBuilder['coinbaseOf']>, amounts: bigint[]): Transaction => b.spend([from], amounts);
  const fee = 10_000n;

  // A straight chain of six blocks.
  const main: BuiltBlock[] = [b.genesis];
  for (let h = 1; h <= 6; h++) {
    main[h] = b.next(main[h - 1]!);
    step(`b${h} extends the chain`, main[h]!, 'connected', { tip: main[h] });
  }
  const [, , b2, b3, b4, b5, b6] = main as [BuiltBlock, BuiltBlock, BuiltBlock, BuiltBlock, BuiltBlock, BuiltBlock, BuiltBlock];

  // Coinbase maturity (5 on the test network): b3's coinbase is not spendable at height 7.
  const early = b.next(b6, { txs: [pay(b.coinbaseOf(b3), [50n * COIN - fee])] });
  step('b7 spends the coinbase of b3 one block before maturity', early, 'rejected', { code: 'bad-txns-premature-spend-of-coinbase' });
  const t7 = pay(b.coinbaseOf(b2), [10n * COIN, 40n * COIN - fee]);
  const b7 = b.next(b6, { txs: [t7] });
  step('b7 spends the coinbase of b2 at maturity', b7, 'connected', { tip: b7 });

  // An equal-work fork keeps the first seen; more work reorganizes; and back again.
  const f7 = b.next(b6, { extraNonce: 1n });
  step('f7 forks at b6 with equal work: the first seen stays', f7, 'side-chain');
  const f8 = b.next(f7);
  step('f8 gives the fork more work: reorg to f8', f8, 'connected', { tip: f8 });
  const b8 = b.next(b7);
  step('b8 ties the fork again: f8 stays', b8, 'side-chain');
  const b9 = b.next(b8);
  step('b9 gives the first branch more work: reorg back to b9', b9, 'connected', { tip: b9 });

  // The coinbase may claim subsidy + fees, not a unit more.
  const t10 = pay(b.output(t7, 0), [10n * COIN - fee]);
  step('b10 coinbase pays one unit more than subsidy + fees', b.next(b9, { txs: [t10], coinbaseExtra: 1n }), 'rejected', { code: 'bad-cb-amount' });
  const b10 = b.next(b9, { txs: [t10] });
  step('b10 coinbase pays exactly subsidy + fees', b10, 'connected', { tip: b10 });

  // Merkle root: a wrong root, then CVE-2012-2459 (a duplicated tx that keeps the root) whose
  // honest twin, with the same hash, must still be accepted.
  const x11 = pay(b.output(t7, 1), [40n * COIN - 2n * fee]);
  const y11 = pay(b.coinbaseOf(b4), [50n * COIN - fee]);
  const b11 = b.next(b10, { txs: [x11, y11] });
  const badRoot = { header: mineHeader({ ...b11.block.header, merkleRoot: new Uint8Array(32) }), txs: b11.block.txs };
  step('b11 with a merkle root that does not match its txs', badRoot, 'rejected', { code: 'bad-txnmrklroot' });
  const mutated: Block = { header: b11.block.header, txs: [...b11.block.txs, y11] };
  step('b11 mutated: its last tx repeated, same merkle root and hash', mutated, 'rejected', { code: 'bad-txns-duplicate' });
  step('b11 honest twin of the mutated block', b11, 'connected', { tip: b11 });

  // Spends inside one block.
  const s5a = pay(b.coinbaseOf(b5), [50n * COIN - fee]);
  const s5b = pay(b.coinbaseOf(b5), [50n * COIN - 2n * fee]);
  step('b12 spends one output twice in two txs', b.next(b11, { txs: [s5a, s5b] }), 'rejected', { code: 'bad-txns-inputs-missingorspent' });
  const dupInput = b.spend([b.coinbaseOf(b5), b.coinbaseOf(b5)], [100n * COIN - fee]);
  step('b12 with a tx that lists one input twice', b.next(b11, { txs: [dupInput] }), 'rejected', { code: 'bad-txns-inputs-duplicate' });
  const parent12 = pay(b.coinbaseOf(b5), [50n * COIN - fee]);
  const child12 = pay(b.output(parent12, 0), [50n * COIN - 2n * fee]);
  step('b12 spends an output created later in the block', b.next(b11, { txs: [child12, parent12] }), 'rejected', {
    code: 'bad-txns-inputs-missingorspent',
  });
  const b12 = b.next(b11, { txs: [parent12, child12] });
  step('b12 spends an output created earlier in the block', b12, 'connected', { tip: b12 });

  // Header rules.
  step('b13 with bits other than the retarget rule demands', b.next(b12, { bits: 0x2000ffff }), 'rejected', { code: 'bad-diffbits' });
  step('b13 with a time at the median time past', b.next(b12, { time: b.medianTimePast(b12) }), 'rejected', { code: 'time-too-old' });
  const plain13 = b.next(b12, { extraNonce: 9n });
  step('b13 whose hash is above its target', { header: unmineHeader(plain13.block.header), txs: plain13.block.txs }, 'rejected', {
    code: 'high-hash',
  });

  // Orphans: a child before its parent.
  const b13 = b.next(b12);
  const b14 = b.next(b13);
  step('b14 before its parent: an orphan', b14, 'orphan');
  step('b13 arrives: b13 and the waiting b14 connect', b13, 'connected', { tip: b14 });

  // A branch with more work but an invalid block never becomes the tip.
  const x13 = b.next(b12, { extraNonce: 2n });
  step('x13 forks at b12 with less work', x13, 'side-chain');
  const good = pay(b.coinbaseOf(b6), [50n * COIN - fee]);
  const badSig = good.inputs[0]!.signature.slice();
  badSig[10] = badSig[10]! ^ 1;
  const forged: Transaction = { ...good, inputs: [{ ...good.inputs[0]!, signature: badSig }] };
  const x14 = b.next(x13, { txs: [forged] });
  step('x14 ties the tip; its bad signature is not checked until the branch could win', x14, 'side-chain');
  const x15 = b.next(x14);
  step('x15 would win on work: x14 fails to connect, x15 is invalid through it', x15, 'rejected', { code: 'bad-prevblk' });
  step('x16 builds on the invalid branch', b.next(x15), 'rejected', { code: 'bad-prevblk' });
  step('b14 again is known', b14, 'known');

  const b15 = b.next(b14, { txs: [good] });
  step('b15 confirms the honest version of the forged tx', b15, 'connected', { tip: b15 });

  return { params: regtestParams, steps, finalTip: tip.hash, finalHeight: tip.height, earliestClock: latestTime - regtestParams.maxFutureBlockTime };
}

/** A step's block as hex (for fixtures that cross into a browser as JSON). */
export function stepHex(s: SequenceStep): string {
  return bytesToHex(s.block);
}
