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

export function mempoolEntryJson(entry: MempoolEntry, params: NetworkParams) {
  return {
    ...txJson(entry.tx, params),
    fee: entry.fee.toString(),
    /** Base units per byte, to 3 decimals. */
    feeRate: (Number((entry.fee * 1000n) / BigInt(entry.size)) / 1000).toString(),
    time: entry.time,
  };
}
