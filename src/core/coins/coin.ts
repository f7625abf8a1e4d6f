/**
 * @module Unspent outputs (coins), how they are keyed, and the views validation reads them through.
 */
import { hashToHexWith } from '../encoding/hex.ts';

/** An unspent output and where it was created. */
export interface Coin {
  readonly amount: bigint;
  readonly publicKey: Uint8Array;
  /** Height of the block that created it. */
  readonly height: number;
  /** Created by a coinbase (so subject to maturity). */
  readonly coinbase: boolean;
}

/** `txid:vout` with the txid in display order: the key of a coin everywhere (store, mempool, wallet). */
export type OutpointKey = string;

export function outpointKey(txid: Uint8Array, vout: number): OutpointKey {
  return hashToHexWith(txid, `:${vout}`);
}

/** Synchronous read access to a set of coins; validation never awaits. */
export interface CoinView {
  getCoin(key: OutpointKey): Coin | undefined;
}

/** A coin spent by a block, kept so the block can be disconnected again. */
export interface SpentCoin extends Coin {
  readonly key: OutpointKey;
}
