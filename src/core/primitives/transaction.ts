/**
 * @module Transactions (UTXO model) and their canonical encoding.
 *
 * Encoding (all integers little-endian, counts as shortest CompactSize):
 * ```
 * version u32
 * inputCount varint  · inputs: prevTxid 32 · vout u32 · signature 64
 * if inputCount = 0 (coinbase): height u32 · extraNonce u64
 * outputCount varint · outputs: amount u64 · publicKey 32 (x-only)
 * memo varBytes (≤ maxMemoSize)
 * ```
 * A coinbase is the one kind of tx without inputs; its height commitment makes every coinbase
 * (and so every txid) unique, and the extra nonce gives miners more search space.
 */
import { ByteReader } from '../encoding/byte-reader.ts';
import { ByteWriter, varintSize } from '../encoding/byte-writer.ts';
import { DecodeError } from '../encoding/decode-error.ts';
import { hashToHex } from '../encoding/hex.ts';
import { sha256d } from '../crypto/hash.ts';
import { DEFAULT_LIMITS, type CodecLimits } from './limits.ts';

export const OUTPOINT_SIZE = 36;
export const INPUT_SIZE = 32 + 4 + 64;
export const OUTPUT_SIZE = 8 + 32;
const COINBASE_DATA_SIZE = 4 + 8;
/** The smallest encodable tx: a coinbase with no outputs and no memo. */
export const MIN_TX_SIZE = 4 + 1 + COINBASE_DATA_SIZE + 1 + 1;

export interface TxInput {
  /** txid of the tx whose output is spent, internal byte order. */
  readonly prevTxid: Uint8Array;
  /** Index of the spent output in that tx. */
  readonly vout: number;
  /** BIP340 signature over the input's sighash by the spent output's key. */
  readonly signature: Uint8Array;
}

export interface TxOutput {
  /** Base units (1 coin = 10^8). */
  readonly amount: bigint;
  /** x-only public key that may spend this output. */
  readonly publicKey: Uint8Array;
}

/** What only a coinbase carries. */
export interface CoinbaseData {
  /** Height of the block the coinbase belongs to. */
  readonly height: number;
  /** Free search space for miners. */
  readonly extraNonce: bigint;
}

export interface Transaction {
  readonly version: number;
  readonly inputs: readonly TxInput[];
  /** Present exactly when there are no inputs. */
  readonly coinbase?: CoinbaseData;
  readonly outputs: readonly TxOutput[];
  /** Up to 80 bytes of free data (the tutorials' `data` field). */
  readonly memo: Uint8Array;
}

export function isCoinbase(tx: Transaction): boolean {
  return tx.inputs.length === 0;
}

export function writeTx(w: ByteWriter, tx: Transaction): void {
  if ((tx.inputs.length === 0) !== (tx.coinbase !== undefined)) {
    throw new TypeError('a tx carries coinbase data exactly when it has no inputs');
  }
  w.u32(tx.version).varint(tx.inputs.length);
  for (const input of tx.inputs) {
    if (input.prevTxid.length !== 32 || input.signature.length !== 64) throw new RangeError('bad input field sizes');
    w.bytes(input.prevTxid).u32(input.vout).bytes(input.signature);
  }
  if (tx.coinbase) w.u32(tx.coinbase.height).u64(tx.coinbase.extraNonce);
  w.varint(tx.outputs.length);
  for (const output of tx.outputs) {
    if (output.publicKey.length !== 32) throw new RangeError('output key must be 32 bytes');
    w.u64(output.amount).bytes(output.publicKey);
  }
  w.varBytes(tx.memo);
}

export function encodeTx(tx: Transaction): Uint8Array {
  const w = new ByteWriter(txSize(tx));
  writeTx(w, tx);
  return w.finish();
}

/** Serialized size in bytes, computed without encoding. */
export function txSize(tx: Transaction): number {
  return (
    4 +
    varintSize(tx.inputs.length) +
    tx.inputs.length * INPUT_SIZE +
    (tx.coinbase ? COINBASE_DATA_SIZE : 0) +
    varintSize(tx.outputs.length) +
    tx.outputs.length * OUTPUT_SIZE +
    varintSize(tx.memo.length) +
    tx.memo.length
  );
}

/** Reads one tx; enforces the count, memo and size limits before allocating. */
export function readTx(r: ByteReader, limits: CodecLimits = DEFAULT_LIMITS): Transaction {
  const start = r.offset;
  const version = r.u32('tx version');
  const inputCount = r.varint(limits.maxTxInputs, 'tx input count');
  if (inputCount * INPUT_SIZE > r.remaining) throw new DecodeError('truncated', `tx declares ${inputCount} inputs`, r.offset);
  const inputs: TxInput[] = [];
  for (let i = 0; i < inputCount; i++) {
    inputs.push({ prevTxid: r.bytes(32, 'input prevTxid'), vout: r.u32('input vout'), signature: r.bytes(64, 'input signature') });
  }
  const coinbase = inputCount === 0 ? { height: r.u32('coinbase height'), extraNonce: r.u64('coinbase extraNonce') } : undefined;
  const outputCount = r.varint(limits.maxTxOutputs, 'tx output count');
  if (outputCount * OUTPUT_SIZE > r.remaining) throw new DecodeError('truncated', `tx declares ${outputCount} outputs`, r.offset);
  const outputs: TxOutput[] = [];
  for (let i = 0; i < outputCount; i++) {
    outputs.push({ amount: r.u64('output amount'), publicKey: r.bytes(32, 'output publicKey') });
  }
  const memo = r.varBytes(limits.maxMemoSize, 'memo');
  if (r.offset - start > limits.maxTxSize) {
    throw new DecodeError('limit-exceeded', `tx of ${r.offset - start} bytes is above the limit ${limits.maxTxSize}`, start);
  }
  return coinbase ? { version, inputs, coinbase, outputs, memo } : { version, inputs, outputs, memo };
}

/** Decodes exactly one tx; throws DecodeError on anything else. */
export function decodeTx(bytes: Uint8Array, limits: CodecLimits = DEFAULT_LIMITS): Transaction {
  if (bytes.length > limits.maxTxSize) {
    throw new DecodeError('limit-exceeded', `tx of ${bytes.length} bytes is above the limit ${limits.maxTxSize}`, 0);
  }
  const r = new ByteReader(bytes);
  const tx = readTx(r, limits);
  r.end('tx');
  return tx;
}

// Txs are immutable values, so a txid computed once holds for the object's life.
const txidMemo = new WeakMap<Transaction, Uint8Array>();

/** sha256d of the full encoding, internal byte order. */
export function txidBytes(tx: Transaction): Uint8Array {
  let id = txidMemo.get(tx);
  if (!id) {
    id = sha256d(encodeTx(tx));
    txidMemo.set(tx, id);
  }
  return id;
}

/** txid as hex in display order. */
export function txid(tx: Transaction): string {
  let hex = txidHexMemo.get(tx);
  if (hex === undefined) {
    hex = hashToHex(txidBytes(tx));
    txidHexMemo.set(tx, hex);
  }
  return hex;
}

/**
 * A tx's hex id, kept with the tx: a node keys its pool, tx index, relay state and coins by it,
 * and one string serves them all (in the simulator, where nodes share decoded txs, all nodes).
 */
const txidHexMemo = new WeakMap<Transaction, string>();
