/**
 * @module The peer-to-peer messages (over WebRTC data channels). Their binary encoding is in
 * wire-codec.ts and documented byte by byte in docs/protocol.md.
 */
import type { BlockHeader } from '../primitives/header.ts';
import type { PeerId } from './peer-identity.ts';

/**
 * 2: relayed signals are signed by their sender (relay-signature.ts). 3: compact block relay
 * (`sendcmpct`, `cmpctblock`, `getblocktxn`, `blocktxn`; compact-relay.ts).
 */
export const PROTOCOL_VERSION = 3;

/**
 * The oldest version this node still speaks: a link runs at the lower of both sides' versions,
 * and everything before the other side's `version` is framed at this one, so a version 2 node
 * can read it (docs/protocol.md, "Frame").
 */
export const MIN_PROTOCOL_VERSION = 2;

/** The compact block scheme `sendcmpct` names (BIP152's version 1, with tabchain's txids). */
export const COMPACT_VERSION = 1;

/** The protocol version that added each type: a frame of an older version cannot carry it. */
const INTRODUCED_IN: Partial<Record<Message['type'], number>> = { sendcmpct: 3, cmpctblock: 3, getblocktxn: 3, blocktxn: 3 };

/** Whether frames of `version` may carry messages of `type`. */
export function typeInVersion(type: Message['type'], version: number): boolean {
  return (INTRODUCED_IN[type] ?? MIN_PROTOCOL_VERSION) <= version;
}

/** Whether this node reads frames of `version` (MIN_PROTOCOL_VERSION to PROTOCOL_VERSION). */
export function supportedVersion(version: number): boolean {
  return version >= MIN_PROTOCOL_VERSION && version <= PROTOCOL_VERSION;
}

/** Inventory kinds, as in Bitcoin's inv vectors. */
export const INV_TX = 1;
export const INV_BLOCK = 2;
/**
 * Version 3, in `getdata` and `notfound` only: a block asked for as a compact block (Bitcoin's
 * MSG_CMPCT_BLOCK), answered with `cmpctblock` (or `block` when it is deep in the chain).
 */
export const INV_CMPCT_BLOCK = 4;

export interface InvItem {
  readonly kind: typeof INV_TX | typeof INV_BLOCK | typeof INV_CMPCT_BLOCK;
  /** Internal byte order (as hashed). */
  readonly hash: Uint8Array;
}

/** Limits every decoder enforces before allocating. */
export const WIRE_LIMITS = {
  /** Largest whole message after reassembly. */
  maxMessageSize: 1024 * 1024,
  /** Largest data-channel send (one chunk with its header). */
  maxChunkSize: 16 * 1024,
  maxHeaders: 2000,
  maxInv: 1000,
  maxLocator: 64,
  maxPeerList: 64,
  maxUserAgent: 64,
  maxSignalData: 16 * 1024,
  /** Hop limit of relayed signaling (mesh introductions). */
  maxSignalHops: 3,
  /**
   * Txs a compact block may describe (short ids and prefilled together), and indexes a
   * `getblocktxn`/`blocktxn` may carry: more than a 250 kB block of the smallest txs holds.
   */
  maxCompactTxs: 20_000,
} as const;

/** A tx a compact block carries whole, at its position in the block. */
export interface PrefilledTx {
  /** Position in the block (absolute; the wire encodes the gap from the previous one). */
  readonly index: number;
  /** The tx's canonical encoding (decoded by the receiver with the network's limits). */
  readonly tx: Uint8Array;
}

export type Message =
  /** First message both ways. `nonce` is the challenge the other side signs in its verack. */
  | {
      readonly type: 'version';
      readonly protocolVersion: number;
      readonly networkId: Uint8Array;
      readonly height: number;
      /** Internal byte order. */
      readonly tipHash: Uint8Array;
      readonly totalWork: bigint;
      readonly publicKey: Uint8Array;
      readonly nonce: Uint8Array;
      readonly userAgent: string;
    }
  /** Proof of the key: BIP340 over identityDigest('handshake', theirNonce, networkId). */
  | { readonly type: 'verack'; readonly signature: Uint8Array }
  | { readonly type: 'ping'; readonly nonce: bigint }
  | { readonly type: 'pong'; readonly nonce: bigint }
  /** Headers after the first locator hash the receiver knows, up to `stopHash` (zero: no stop). */
  | { readonly type: 'getheaders'; readonly locator: readonly Uint8Array[]; readonly stopHash: Uint8Array }
  | { readonly type: 'headers'; readonly headers: readonly BlockHeader[] }
  | { readonly type: 'inv'; readonly items: readonly InvItem[] }
  | { readonly type: 'getdata'; readonly items: readonly InvItem[] }
  | { readonly type: 'notfound'; readonly items: readonly InvItem[] }
  /** A block in its canonical encoding (decoded by the receiver with the network's limits). */
  | { readonly type: 'block'; readonly block: Uint8Array }
  | { readonly type: 'tx'; readonly tx: Uint8Array }
  /** The peers this node is connected to (for mesh introductions). */
  | { readonly type: 'peers'; readonly peers: readonly PeerId[] }
  /** WebRTC signaling relayed through connected peers while the signaling server is away. */
  | {
      readonly type: 'signal';
      readonly from: PeerId;
      readonly to: PeerId;
      readonly hops: number;
      /** The sender's node key: its peer id (`from`) is the hash of it. */
      readonly publicKey: Uint8Array;
      /** When the sender signed it (unix seconds, the sender's clock). */
      readonly time: number;
      /** The sender's BIP340 signature over (from, to, time, sha256(data), network id). */
      readonly signature: Uint8Array;
      /** JSON of simple-peer's signal data. */
      readonly data: string;
    }
  /**
   * Version 3: the sender takes compact blocks of this `version`; with `highBandwidth` it asks the
   * receiver to push each new block as a `cmpctblock` at once, without an `inv` (BIP152).
   */
  | { readonly type: 'sendcmpct'; readonly highBandwidth: boolean; readonly version: number }
  /**
   * Version 3: a block as its header, the 6-byte short ids of its txs (SipHash-2-4 of the txid,
   * keyed by the header and `nonce`: compact-short-ids.ts) and the txs sent whole (the coinbase
   * always). Short ids fill the positions the prefilled txs leave, in order.
   */
  | {
      readonly type: 'cmpctblock';
      readonly header: BlockHeader;
      readonly nonce: bigint;
      /** 48-bit short ids, as numbers (exact below 2^53). */
      readonly shortIds: readonly number[];
      /** Ascending positions. */
      readonly prefilled: readonly PrefilledTx[];
    }
  /** Version 3: the txs at these positions (ascending) of a block announced as a `cmpctblock`. */
  | { readonly type: 'getblocktxn'; readonly blockHash: Uint8Array; readonly indexes: readonly number[] }
  /** Version 3: the answer to `getblocktxn`, the txs in the order asked. */
  | { readonly type: 'blocktxn'; readonly blockHash: Uint8Array; readonly txs: readonly Uint8Array[] };

export type MessageType = Message['type'];
