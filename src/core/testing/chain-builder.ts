/**
 * @module Builds valid (and deliberately invalid) blocks for tests, benchmarks and fixtures on
 * the test network: deterministic keys, correct bits and times, signed spends, mined headers.
 * Pure core code, so the same builder serves unit tests in Node and network tests in browsers.
 */
import { sha256 } from '../crypto/hash.ts';
import { publicKeyOf } from '../crypto/keys.ts';
import { requiredBits, type DifficultyPoint } from '../consensus/difficulty.ts';
import { medianTime } from '../consensus/difficulty.ts';
import { computeMerkleRoot } from '../consensus/merkle.ts';
import { regtestParams } from '../consensus/networks.ts';
import type { NetworkParams } from '../consensus/params.ts';
import { checkProofOfWork } from '../consensus/pow.ts';
import { signTransaction, type SpentOutput } from '../consensus/sighash.ts';
import { blockSubsidy } from '../consensus/subsidy.ts';
import { hashToHex } from '../encoding/hex.ts';
import type { Clock } from '../ports/clock.ts';
import type { Block } from '../primitives/block.ts';
import { headerHash, type BlockHeader } from '../primitives/header.ts';
import { txidBytes, type Transaction, type TxOutput } from '../primitives/transaction.ts';
import { utf8ToBytes } from '@noble/hashes/utils.js';

/** A clock tests set by hand. */
export class ManualClock implements Clock {
  constructor(public time: number) {}
  now(): number {
    return this.time;
  }
}

/** A deterministic key pair for tests: secret = sha256("tabchain test key " + n). */
export function testKey(n: number): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const secretKey = sha256(utf8ToBytes(`tabchain test key ${n}`));
  return { secretKey, publicKey: publicKeyOf(secretKey) };
}

/** Searches nonces until the header meets its own target (only practical on easy networks). */
export function mineHeader(header: BlockHeader, maxTries = 10_000_000): BlockHeader {
  for (let nonce = header.nonce, i = 0; i < maxTries; i++, nonce = (nonce + 1) >>> 0) {
    const candidate = { ...header, nonce };
    if (checkProofOfWork(candidate)) return candidate;
  }
  throw new Error('no nonce found within maxTries');
}

/** Re-mines until the hash is above the target: a header with invalid proof of work. */
export function unmineHeader(header: BlockHeader): BlockHeader {
  for (let nonce = header.nonce; ; nonce = (nonce + 1) >>> 0) {
    const candidate = { ...header, nonce };
    if (!checkProofOfWork(candidate)) return candidate;
  }
}

/** The same block with its merkle root recomputed from its txs and its header mined again. */
export function resealBlock(block: Block, mine = true): Block {
  const header = { ...block.header, merkleRoot: computeMerkleRoot(block.txs.map(txidBytes)).root };
  return { header: mine ? mineHeader(header) : header, txs: block.txs };
}

/** A block the builder made, with what building its children needs. */
export interface BuiltBlock {
  readonly block: Block;
  readonly hash: string;
  readonly height: number;
  readonly parent: BuiltBlock | undefined;
  /** Block 1 of this branch (the difficulty anchor). */
  readonly anchor: BuiltBlock | undefined;
}

export interface NextBlockOptions {
  /** Non-coinbase txs, in order. */
  readonly txs?: readonly Transaction[];
  /** Default: parent time + target spacing. */
  readonly time?: number;
  /** Default: what the retarget rule demands. */
  readonly bits?: number;
  /** Added to the coinbase amount (subsidy + fees by default); 1n makes it overpay. */
  readonly coinbaseExtra?: bigint;
  /** Coinbase height commitment; default the block's height. */
  readonly coinbaseHeight?: number;
  /** Distinguishes sibling blocks that would otherwise be identical. */
  readonly extraNonce?: bigint;
  /** Key the coinbase pays; default the builder's key. */
  readonly payTo?: Uint8Array;
}

/** An output the builder can spend: its tx, index, amount and key. */
export interface Spendable {
  readonly txid: Uint8Array;
  readonly vout: number;
  readonly output: TxOutput;
}

export class ChainBuilder {
  readonly key = testKey(1);
  readonly genesis: BuiltBlock;
  private readonly outputs = new Map<string, TxOutput>();

  /**
   * `firstBlockTime` sets block 1's time (default: genesis time + spacing); later blocks follow
   * at the target spacing. Long chains built for a real clock start early enough to end before now.
   */
  constructor(
    readonly params: NetworkParams = regtestParams,
    private readonly options: { firstBlockTime?: number } = {},
  ) {
    this.genesis = { block: params.genesis, hash: params.genesisHash, height: 0, parent: undefined, anchor: undefined };
  }

  /** The bits a child of `parent` must carry. */
  bitsAfter(parent: BuiltBlock): number {
    const point = (b: BuiltBlock): DifficultyPoint => ({ height: b.height, time: b.block.header.time, bits: b.block.header.bits });
    return requiredBits(point(parent), parent.anchor && point(parent.anchor), this.params);
  }

  /** Median time past at `parent`. */
  medianTimePast(parent: BuiltBlock): number {
    const times: number[] = [];
    for (let b: BuiltBlock | undefined = parent; b && times.length < this.params.medianTimeSpan; b = b.parent) times.push(b.block.header.time);
    return medianTime(times);
  }

  /** The fee a tx pays, from outputs this builder made. */
  fee(tx: Transaction): bigint {
    let fee = 0n;
    for (const input of tx.inputs) {
      const spent = this.outputs.get(`${hashToHex(input.prevTxid)}:${input.vout}`);
      if (!spent) throw new Error('the builder does not know an output this tx spends');
      fee += spent.amount;
    }
    for (const output of tx.outputs) fee -= output.amount;
    return fee;
  }

  /** A mined child of `parent` with a coinbase paying subsidy + fees (unless told otherwise). */
  next(parent: BuiltBlock, options: NextBlockOptions = {}): BuiltBlock {
    const height = parent.height + 1;
    const txs = options.txs ?? [];
    const fees = txs.reduce((sum, tx) => sum + this.fee(tx), 0n);
    const coinbase: Transaction = {
      version: 1,
      inputs: [],
      coinbase: { height: options.coinbaseHeight ?? height, extraNonce: options.extraNonce ?? 0n },
      outputs: [{ amount: blockSubsidy(height, this.params) + fees + (options.coinbaseExtra ?? 0n), publicKey: options.payTo ?? this.key.publicKey }].filter(
        (o) => o.amount > 0n,
      ),
      memo: new Uint8Array(),
    };
    const all = [coinbase, ...txs];
    const header: BlockHeader = {
      version: 1,
      prevHash: headerHash(parent.block.header),
      merkleRoot: computeMerkleRoot(all.map(txidBytes)).root,
      time: options.time ?? (parent.height === 0 && this.options.firstBlockTime !== undefined ? this.options.firstBlockTime : parent.block.header.time + this.params.targetSpacing),
      bits: options.bits ?? this.bitsAfter(parent),
      nonce: 0,
    };
    return this.wrap({ header: mineHeader(header), txs: all }, parent);
  }

  /** Records a block (possibly altered by a test) as a child of `parent`. */
  wrap(block: Block, parent: BuiltBlock): BuiltBlock {
    for (const tx of block.txs) {
      const id = txidBytes(tx);
      tx.outputs.forEach((output, vout) => this.outputs.set(`${hashToHex(id)}:${vout}`, output));
    }
    const height = parent.height + 1;
    const built: BuiltBlock = { block, hash: hashToHex(headerHash(block.header)), height, parent, anchor: undefined };
    return { ...built, anchor: parent.anchor ?? (height === 1 ? built : undefined) };
  }

  /** A chain of n blocks on top of `parent`; returns them lowest first. */
  extend(parent: BuiltBlock, n: number, options: NextBlockOptions = {}): BuiltBlock[] {
    const blocks: BuiltBlock[] = [];
    let tip = parent;
    for (let i = 0; i < n; i++) {
      tip = this.next(tip, options);
      blocks.push(tip);
    }
    return blocks;
  }

  /** Output `vout` of a tx as something to spend. */
  output(tx: Transaction, vout = 0): Spendable {
    const output = tx.outputs[vout];
    if (!output) throw new Error(`tx has no output ${vout}`);
    return { txid: txidBytes(tx), vout, output };
  }

  /** The coinbase output of a built block. */
  coinbaseOf(built: BuiltBlock): Spendable {
    return this.output(built.block.txs[0]!, 0);
  }

  /**
   * A signed tx spending `inputs` (all owned by the builder's key) into outputs of the given
   * amounts; the rest is the fee.
   */
  spend(inputs: readonly Spendable[], amounts: readonly bigint[], options: { memo?: Uint8Array; to?: Uint8Array; network?: Uint8Array } = {}): Transaction {
    const spent: SpentOutput[] = inputs.map((i) => i.output);
    const tx = signTransaction(
      {
        version: 1,
        inputs: inputs.map((i) => ({ prevTxid: i.txid, vout: i.vout })),
        outputs: amounts.map((amount) => ({ amount, publicKey: options.to ?? this.key.publicKey })),
        memo: options.memo ?? new Uint8Array(),
      },
      spent,
      inputs.map(() => this.key.secretKey),
      options.network ?? this.params.networkId,
      new Uint8Array(32),
    );
    const id = txidBytes(tx);
    tx.outputs.forEach((output, vout) => this.outputs.set(`${hashToHex(id)}:${vout}`, output));
    return tx;
  }
}
