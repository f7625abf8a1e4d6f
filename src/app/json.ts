/**
 * @module Plain-JSON views of core objects for `window.tabchain` and the UI: amounts as decimal
 * strings of base units, bytes as hex, hashes in display order.
 */
import {
  blockSize,
  bytesToHex,
  encodeAddress,
  hashToHex,
  txSize,
  txid,
  type Block,
  type MempoolEntry,
  type NetworkParams,
  type Transaction,
} from '../core/index.ts';

export interface TxJson {
  txid: string;
  coinbase: boolean;
  /** For a coinbase: the height it commits to. */
  coinbaseHeight?: number;
  inputs: { txid: string; vout: number }[];
  outputs: { amount: string; address: string }[];
  /** The memo as UTF-8 text (invalid sequences replaced) and as hex. */
  memo: string;
  memoHex: string;
  size: number;
}

export interface BlockJson {
  hash: string;
  height: number;
  /** 0 for a block off the active chain. */
  confirmations: number;
  active: boolean;
  header: { version: number; prevHash: string; merkleRoot: string; time: number; bits: string; nonce: number };
  size: number;
  txs: TxJson[];
}

export function txJson(tx: Transaction, params: NetworkParams): TxJson {
  return {
    txid: txid(tx),
    coinbase: tx.inputs.length === 0,
    ...(tx.coinbase ? { coinbaseHeight: tx.coinbase.height } : {}),
    inputs: tx.inputs.map((i) => ({ txid: hashToHex(i.prevTxid), vout: i.vout })),
    outputs: tx.outputs.map((o) => ({ amount: o.amount.toString(), address: encodeAddress(o.publicKey, params.addressPrefix) })),
    memo: new TextDecoder().decode(tx.memo),
    memoHex: bytesToHex(tx.memo),
    size: txSize(tx),
  };
}

export function blockJson(block: Block, info: { hash: string; height: number; active: boolean; tipHeight: number }, params: NetworkParams): BlockJson {
  const h = block.header;
  return {
    hash: info.hash,
    height: info.height,
    confirmations: info.active ? info.tipHeight - info.height + 1 : 0,
    active: info.active,
    header: {
      version: h.version,
      prevHash: hashToHex(h.prevHash),
      merkleRoot: hashToHex(h.merkleRoot),
      time: h.time,
      bits: `0x${h.bits.toString(16).padStart(8, '0')}`,
      nonce: h.nonce,
    },
    size: blockSize(block),
    txs: block.txs.map((tx) => txJson(tx, params)),
  };
}

/** A pool entry as `tabchain.mempool()` and the `tx-accepted` event give it. */
export interface MempoolEntryJson extends TxJson {
  /** Base units, as a decimal string. */
  fee: string;
  /** Base units per byte, to 3 decimals. */
  feeRate: string;
  /** Unix seconds when the pool accepted it. */
  time: number;
}

/** A pool entry as `tabchain.mempool()` and the `tx-accepted` event give it. */
export function mempoolEntryJson(entry: MempoolEntry, params: NetworkParams): MempoolEntryJson {
  return {
    ...txJson(entry.tx, params),
    fee: entry.fee.toString(),
    feeRate: (Number((entry.fee * 1000n) / BigInt(entry.size)) / 1000).toString(),
    time: entry.time,
  };
}

/** One active-chain header as `chain.headers()` lists it; `txCount` and `size` only when asked for. */
export interface HeaderJson {
  height: number;
  hash: string;
  time: number;
  /** The compact target, as in {@link BlockJson}'s header (`0x1f00ffff`). */
  bits: string;
  txCount?: number;
  size?: number;
}

/** An input with the output it spends, when that output could be found (else nulls). */
export interface InputJson {
  txid: string;
  vout: number;
  amount: string | null;
  address: string | null;
}

/** A tx with its inputs resolved: what the explorer shows. */
export interface TxDetailJson extends Omit<TxJson, 'inputs'> {
  inputs: InputJson[];
  /** Inputs minus outputs; null for a coinbase or when an input's output was not found. */
  fee: string | null;
  /**
   * What the tx pays: its outputs to keys none of its inputs spent from (the rest is change),
   * base units; null for a coinbase or when an input's output was not found.
   */
  paid: string | null;
}

/** The output an input spends: its amount and key. */
export interface SpentOutputInfo {
  readonly amount: bigint;
  readonly publicKey: Uint8Array;
}

export function txDetailJson(
  tx: Transaction,
  params: NetworkParams,
  spent: ReadonlyMap<string, SpentOutputInfo>,
  knownFee?: bigint,
  walletKeys?: ReadonlySet<string>,
): TxDetailJson {
  const base = txJson(tx, params);
  let inTotal = 0n;
  let complete = true;
  const inputs = base.inputs.map((input) => {
    const out = spent.get(`${input.txid}:${input.vout}`);
    if (!out) {
      complete = false;
      return { ...input, amount: null, address: null };
    }
    inTotal += out.amount;
    return { ...input, amount: out.amount.toString(), address: encodeAddress(out.publicKey, params.addressPrefix) };
  });
  const outTotal = tx.outputs.reduce((sum, o) => sum + o.amount, 0n);
  const fee = base.coinbase ? null : knownFee !== undefined ? knownFee : complete ? inTotal - outTotal : null;
  const paid = base.coinbase ? null : paidAmount(tx, spent, walletKeys);
  return { ...base, inputs, fee: fee === null ? null : fee.toString(), paid: paid === null ? null : paid.toString() };
}

/**
 * The amount a tx pays: the sum of its outputs to keys that none of its inputs spent from (an
 * output back to an input's key is change). When every input is this wallet's (`walletKeys`, hex
 * public keys), an output to any of its keys is change too: the wallet sends change to a fresh
 * key, which nobody else can tell from a payment. Null when an input's output is not known, or
 * for a tx without inputs. A tx that pays only its sender pays 0.
 */
export function paidAmount(tx: Transaction, spent: ReadonlyMap<string, SpentOutputInfo>, walletKeys: ReadonlySet<string> = new Set()): bigint | null {
  if (tx.inputs.length === 0) return null;
  const senders = new Set<string>();
  for (const input of tx.inputs) {
    const out = spent.get(`${hashToHex(input.prevTxid)}:${input.vout}`);
    if (!out) return null;
    senders.add(bytesToHex(out.publicKey));
  }
  const ours = [...senders].every((key) => walletKeys.has(key));
  const change = (key: string) => senders.has(key) || (ours && walletKeys.has(key));
  return tx.outputs.reduce((sum, o) => (change(bytesToHex(o.publicKey)) ? sum : sum + o.amount), 0n);
}
