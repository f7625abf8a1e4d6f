/**
 * @module Random blocks for comparing signature-checking paths (the sequential `connectBlock`
 * against the two-phase `connectBlockChecked` over any verifier): signed txs of one, two and three
 * inputs and parent–child chains are built once; each case picks some in a random order and
 * spoils some at random — a bad or garbage signature on a random input, a missing input, an input
 * another tx of the block already spends, outputs above inputs, a premature coinbase spend, a
 * coinbase that pays too much — so invalid signatures meet other failures at random positions.
 * Deterministic from a seed (the cases are built by a small PRNG, not by a test library, so
 * tests of every layer can share them).
 */
import { CoinCache, MapCoinView } from '../coins/coin-cache.ts';
import { connectBlock } from '../consensus/connect-block.ts';
import { regtestParams } from '../consensus/networks.ts';
import type { NetworkParams } from '../consensus/params.ts';
import { blockSubsidy } from '../consensus/subsidy.ts';
import type { Block } from '../primitives/block.ts';
import type { Transaction, TxInput } from '../primitives/transaction.ts';
import { ChainBuilder, type BuiltBlock } from './chain-builder.ts';

/** mulberry32: a small deterministic PRNG giving floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SignatureCase {
  /** A block to connect (stage 3 only: its header is not mined, its merkle root not set). */
  readonly block: Block;
  readonly height: number;
  /** What was spoiled, for failure messages. */
  readonly spoiled: readonly string[];
}

const FAN_OUT = 40;

export class SignatureCases {
  readonly params: NetworkParams;
  private readonly base: MapCoinView;
  /** Valid txs, each a group that must stay in order (a parent before its child). */
  private readonly groups: Transaction[][] = [];
  /** A signed spend of a coinbase not yet mature at {@link height}. */
  private readonly premature: Transaction;
  readonly height: number;

  constructor(params: NetworkParams = regtestParams) {
    this.params = params;
    const b = new ChainBuilder(params);
    const early = b.extend(b.genesis, params.coinbaseMaturity);
    const funding = b.coinbaseOf(early[0]!);
    const share = funding.output.amount / BigInt(FAN_OUT + 1);
    const fanTx = b.spend([funding], Array.from({ length: FAN_OUT }, () => share));
    const fan = b.next(early[early.length - 1]!, { txs: [fanTx] });
    const out = (vout: number) => b.output(fanTx, vout);
    const fee = 1000n;
    let next = 0;
    for (const inputs of [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3]) {
      const spends = Array.from({ length: inputs }, () => out(next++));
      this.groups.push([b.spend(spends, spends.map(() => share - fee))]);
    }
    while (next < FAN_OUT) {
      const parent = b.spend([out(next++)], [share - fee]);
      this.groups.push([parent, b.spend([b.output(parent, 0)], [share - 2n * fee])]);
    }
    this.premature = b.spend([b.coinbaseOf(fan)], [funding.output.amount - fee]);
    this.height = fan.height + 1;

    const chain: BuiltBlock[] = [];
    for (let x: BuiltBlock | undefined = fan; x && x.height > 0; x = x.parent) chain.unshift(x);
    const coins = new CoinCache(new MapCoinView());
    for (const built of chain) {
      const result = connectBlock(built.block, built.height, coins, params);
      if (!result.ok) throw new Error(`signature cases: block ${built.height} does not connect: ${result.message}`);
    }
    this.base = new MapCoinView(new Map(coins.added));
  }

  /** A fresh coin cache over the coins the cases' blocks spend (connecting changes only it). */
  coins(): CoinCache {
    return new CoinCache(this.base);
  }

  /** A block of every valid tx, in an order that connects: all its signatures verify. */
  valid(): SignatureCase {
    return { block: this.blockOf(this.groups.flat(), false, 0), height: this.height, spoiled: [] };
  }

  /** A random case; `spoilRate` is the chance that any one tx is spoiled. */
  make(seed: number, spoilRate = 0.25): SignatureCase {
    const rand = prng(seed);
    const pick = (n: number) => Math.floor(rand() * n);
    const chosen = this.groups.filter(() => rand() < 0.5);
    // Shuffle groups; now and then let a child come before its parent (a missing input).
    for (let i = chosen.length - 1; i > 0; i--) {
      const j = pick(i + 1);
      [chosen[i], chosen[j]] = [chosen[j]!, chosen[i]!];
    }
    const spoiled: string[] = [];
    let txs: Transaction[] = chosen.flatMap((group) => (group.length === 2 && rand() < 0.1 ? (spoiled.push('child first'), [group[1]!, group[0]!]) : group));
    if (rand() < 0.1) txs.splice(pick(txs.length + 1), 0, this.premature);
    txs = txs.map((tx, index) => {
      if (rand() >= spoilRate) return tx;
      const input = pick(tx.inputs.length);
      const kind = pick(6);
      const withInput = (change: (i: TxInput) => TxInput): Transaction => ({ ...tx, inputs: tx.inputs.map((i, k) => (k === input ? change(i) : i)) });
      switch (kind) {
        case 0:
        case 1: {
          spoiled.push(`tx ${index + 1} input ${input}: flipped signature bit`);
          return withInput((i) => {
            const signature = i.signature.slice();
            signature[pick(64)]! ^= 1 << pick(8);
            return { ...i, signature };
          });
        }
        case 2:
          spoiled.push(`tx ${index + 1} input ${input}: garbage signature`);
          return withInput((i) => ({ ...i, signature: new Uint8Array(64).fill(pick(2) ? 0xff : 0) }));
        case 3:
          spoiled.push(`tx ${index + 1} input ${input}: missing outpoint`);
          return withInput((i) => ({ ...i, vout: 999 }));
        case 4: {
          const earlier = txs.slice(0, index).flatMap((t) => t.inputs);
          if (earlier.length === 0) return tx;
          const other = earlier[pick(earlier.length)]!;
          spoiled.push(`tx ${index + 1} input ${input}: spent earlier in the block`);
          return withInput((i) => ({ ...i, prevTxid: other.prevTxid, vout: other.vout }));
        }
        default:
          spoiled.push(`tx ${index + 1}: outputs above inputs`);
          return { ...tx, outputs: tx.outputs.map((o, k) => (k === 0 ? { ...o, amount: o.amount + 10n ** 12n } : o)) };
      }
    });
    const overpay = rand() < 0.1;
    if (overpay) spoiled.push('coinbase overpays');
    return { block: this.blockOf(txs, overpay, seed), height: this.height, spoiled };
  }

  private blockOf(txs: readonly Transaction[], overpay: boolean, seed: number): Block {
    const coinbase: Transaction = {
      version: 1,
      inputs: [],
      coinbase: { height: this.height, extraNonce: BigInt(seed >>> 0) },
      outputs: [{ amount: blockSubsidy(this.height, this.params) + (overpay ? 10n ** 10n : 0n), publicKey: new Uint8Array(32).fill(2) }],
      memo: new Uint8Array(),
    };
    const header = { version: 1, prevHash: new Uint8Array(32), merkleRoot: new Uint8Array(32), time: 0, bits: this.params.genesis.header.bits, nonce: 0 };
    return { header, txs: [coinbase, ...txs] };
  }
}
