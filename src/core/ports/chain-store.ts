/**
 * @module The `ChainStore` port: where the block tree, block bodies, undo data and the coin set
 * live. {@link ChainStore.write} is atomic: a crash leaves the store before or after a write,
 * never in between. The core only ever writes through it.
 */
import type { BlockHeader } from '../primitives/header.ts';
import type { RejectCode } from '../consensus/rejection.ts';
import type { Coin, OutpointKey, SpentCoin } from '../coins/coin.ts';

/** One node of the block tree as stored. */
export interface StoredBlockIndex {
  /** Display-order hex. */
  readonly hash: string;
  readonly header: BlockHeader;
  readonly height: number;
  /** Work of this block and all its ancestors. */
  readonly chainWork: bigint;
  /** The body is stored. */
  readonly hasData: boolean;
  /** Set when the block (or an ancestor) broke a consensus rule. */
  readonly invalid?: { readonly code: RejectCode; readonly message: string };
  /** Order in which blocks were first seen; the earlier wins a tie. */
  readonly sequence: number;
}

/** Where a tx sits on the active chain: its block's height and its place in the block. */
export interface TxPosition {
  readonly height: number;
  /** 0 is the coinbase. */
  readonly position: number;
}

/**
 * One tx that pays to or spends from a key, as the address index holds it: enough for an
 * address page without reading the block (the time is its header's, in memory).
 */
export interface AddressTx extends TxPosition {
  /** Display-order hex. */
  readonly txid: string;
  /** Paid to the key by the tx's outputs. */
  readonly received: bigint;
  /** Taken from the key's coins by the tx's inputs. */
  readonly sent: bigint;
}

/** An address-index entry with its key: (publicKey, height, position) is unique. */
export interface AddressIndexEntry extends AddressTx {
  /** The x-only public key an address encodes, lowercase hex. */
  readonly publicKey: string;
}

/** A page of a key's txs: newest first, strictly before `before` when given, at most `limit`. */
export interface AddressPage {
  readonly before?: TxPosition;
  /** Absent: all of them. */
  readonly limit?: number;
}

/** Everything one chain operation changes, written in one transaction. */
export interface ChainWrite {
  /** New index entries and entries whose data or validity changed (put by hash). */
  readonly index: StoredBlockIndex[];
  /** Canonical encodings of newly stored bodies. */
  readonly bodies: { readonly hash: string; readonly bytes: Uint8Array }[];
  /** Undo data of newly connected blocks. */
  readonly undo: { readonly hash: string; readonly spent: readonly SpentCoin[] }[];
  /** Coins created (put; may replace a coin of the same key). */
  readonly coinsAdded: [OutpointKey, Coin][];
  /** Coins spent (deleted). Applied before `coinsAdded`. */
  readonly coinsSpent: OutpointKey[];
  /** Txids of disconnected blocks, leaving the tx index (applied before `txsConnected`). */
  readonly txsDisconnected: string[];
  /** Txids of connected blocks with their block's hash: the tx index of the active chain. */
  readonly txsConnected: [txid: string, blockHash: string][];
  /** Address-index entries of disconnected blocks, deleted (applied before `addressesConnected`). */
  readonly addressesDisconnected: (TxPosition & { readonly publicKey: string })[];
  /** Address-index entries of connected blocks: every (key, tx) where the tx pays to or spends from the key. */
  readonly addressesConnected: AddressIndexEntry[];
  /** The new tip, when it changed. */
  readonly tip?: string;
}

export interface ChainStore {
  /** The whole block index and the tip: all start-up needs (no replay). */
  load(): Promise<{ index: StoredBlockIndex[]; tip: string | undefined }>;
  getBlock(hash: string): Promise<Uint8Array | undefined>;
  getUndo(hash: string): Promise<readonly SpentCoin[] | undefined>;
  /** The coins that exist among `keys` (missing keys are absent from the map). */
  getCoins(keys: readonly OutpointKey[]): Promise<Map<OutpointKey, Coin>>;
  /** How many coins the set holds (to check it against a rebuild). */
  coinCount(): Promise<number>;
  /** The active-chain block holding a tx, from the tx index. */
  getTxBlock(txid: string): Promise<string | undefined>;
  /** Coins a key may spend: a wallet's confirmed coins, without scanning the whole set. */
  coinsOf(publicKey: Uint8Array): Promise<(Coin & { readonly key: OutpointKey })[]>;
  /**
   * A key's txs on the active chain from the address index, newest first (by height, then
   * position): one range read, whatever the chain's length.
   */
  addressTxs(publicKey: Uint8Array, page?: AddressPage): Promise<AddressTx[]>;
  /** Applies a change atomically: all of it or, on failure (it throws), none of it. */
  write(change: ChainWrite): Promise<void>;
}
