/**
 * @module What the parts of the network share: a connected peer's state, the link it speaks
 * over, the events the network emits, and the host each part reaches the others through.
 *
 * The network is three parts, each with one job: peer life (network.ts: handshake, ping,
 * budgets, close and ban), sync scheduling (block-sync.ts: headers-first sync, block bodies) and
 * relay (relay.ts: tx and block inventory, signals, peer lists). A {@link Peer} holds per-peer
 * state of all three, its fields grouped by the part they serve (what a peer is known to have,
 * `height` and `known`, is learnt by several).
 */
import type { Message } from './messages.ts';
import type { Node } from '../node/node.ts';
import type { BanList } from './ban-list.ts';
import type { Emitter } from '../util/emitter.ts';
import type { Reassembler } from './chunking.ts';
import type { ByteBudget, TokenBucket } from './rate-limit.ts';
import type { PeerConduct } from './misbehaviour.ts';
import type { PeerId } from './peer-identity.ts';

/** A connected data channel, as the network needs it. The adapter handles back-pressure. */
export interface LinkPort {
  /** Sends one chunk (≤ WIRE_LIMITS.maxChunkSize bytes). Never throws. */
  send(chunk: Uint8Array): void;
  /** Closes the link; the adapter then calls the handle's `closed()`. */
  close(): void;
  /** Bytes sent but not yet on the wire (for serving data under back-pressure). */
  readonly buffered?: number;
}

/** What the adapter calls on a link's events. */
export interface LinkHandle {
  /** A chunk arrived; `now` (ms, the tick clock) makes latencies exact between ticks. */
  receive(chunk: Uint8Array, now?: number): void;
  closed(): void;
}

export interface NodeIdentity {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly peerId: PeerId;
}

export type PeerState = 'handshaking' | 'ready' | 'closed';

export interface PeerInfo {
  readonly id: PeerId;
  readonly state: PeerState;
  readonly height: number;
  readonly latencyMs: number | null;
  readonly inbound: boolean;
  readonly userAgent: string;
  /** When (the network clock, ms) this peer last gave us a block new to us, for eviction: keep those who help. */
  readonly lastBlockAt?: number;
  /** When this peer last gave us a tx our pool accepted. */
  readonly lastTxAt?: number;
}

export interface SyncProgress {
  /** Blocks connected since this sync began. */
  readonly done: number;
  /** Blocks this sync set out to connect. */
  readonly total: number;
}

export interface NetworkEvents extends Record<string, unknown> {
  'peer-connected': PeerInfo;
  'peer-disconnected': { readonly id: PeerId; readonly reason: string; readonly banned: boolean };
  sync: SyncProgress;
  /** Relayed signaling addressed to this node (a peer introducing another). */
  signal: { readonly from: PeerId; readonly data: string; readonly via: PeerId };
  /** A connected peer told us whom it is connected to. */
  'peer-list': { readonly from: PeerId; readonly peers: readonly PeerId[] };
  /** A first peer has this pool tx (see Network.delivered). */
  'tx-delivered': { readonly txid: string };
}

/** How a network is made: what it serves, and its timeouts and limits (the parts' defaults are in network.ts). */
export interface NetworkOptions {
  readonly node: Node;
  readonly identity: NodeIdentity;
  readonly bans: BanList;
  readonly userAgent?: string;
  /** Milliseconds; defaults below. */
  readonly handshakeTimeout?: number;
  readonly pingInterval?: number;
  readonly pingTimeout?: number;
  readonly blockTimeout?: number;
  /** Block bodies requested from one peer at a time. */
  readonly maxInFlightPerPeer?: number;
  /** Blocks connected per store write while syncing, at most (default 64). */
  readonly batchSize?: number;
  /** Bytes of blocks connected per store write while syncing, at most (default 256 KiB). */
  readonly batchBytes?: number;
  /** Messages per second a peer may send (burst is twice that). */
  readonly messageRate?: number;
  /**
   * The protocol version this node speaks (default PROTOCOL_VERSION; MIN_PROTOCOL_VERSION makes a
   * node of the previous version, without compact blocks, for tests and the simulator).
   */
  readonly protocolVersion?: number;
  /** Milliseconds a `getblocktxn` may wait for its `blocktxn` before the block is fetched whole. */
  readonly compactTimeout?: number;
}

/** Why a link is closed: `ban` codes also ban the peer; `drop` codes do not (nimiq's CloseType split). */
export type CloseReason = { readonly kind: 'ban' | 'drop'; readonly reason: string };

export const ban = (reason: string): CloseReason => ({ kind: 'ban', reason });
export const drop = (reason: string): CloseReason => ({ kind: 'drop', reason });

export interface Peer {
  // Peer life (network.ts).
  readonly id: PeerId;
  readonly link: LinkPort;
  readonly inbound: boolean;
  state: PeerState;
  openedAt: number;
  readonly nonce: Uint8Array;
  remote: Extract<Message, { type: 'version' }> | undefined;
  verified: boolean;
  readonly reassembler: Reassembler;
  readonly bucket: TokenBucket;
  readonly bytes: ByteBudget;
  nextMessageId: number;
  lastHeard: number;
  pingNonce: bigint | undefined;
  pingSentAt: number;
  lastPingAt: number;
  latencyMs: number | null;
  /** When it was last sent an inv of txs (network ms; relay.ts holds a burst's back). */
  lastTxInvAt?: number;
  /** Stalls and throttled messages (src/core/net/misbehaviour.ts). */
  readonly conduct: PeerConduct;
  /** Its version named another network: it is banned once its key is proven. */
  foreign: boolean;
  /**
   * The link's protocol version: the lower of both sides' (MIN_PROTOCOL_VERSION until the peer's
   * `version` came). Frames to it carry it; compact blocks need 3.
   */
  version: number;

  // Sync scheduling (block-sync.ts; the handshake sets the first height).
  /** A getheaders is outstanding (headers are accepted only in answer to one). */
  headersRequested: boolean;
  height: number;
  /** The network clock (ms) when it last delivered a block new to us. */
  lastBlockAt?: number;

  // Relay (relay.ts).
  /** Inventory this peer has (announced to or by it), by display-order hex hash: never announced to it again. */
  readonly known: Set<string>;
  /** Txids asked of this peer and not yet answered: their `tx` and `notfound` are answers. */
  readonly txRequested: Set<string>;
  /** The network clock (ms) when it last delivered a tx our pool took. */
  lastTxAt?: number;

  // Compact block relay (compact-relay.ts).
  /** It sent `sendcmpct` of our compact version: it takes compact blocks, pushed at once if `highBandwidth`. */
  compactTo: { readonly highBandwidth: boolean } | undefined;
}

/** What sync and relay reach through the network: its node, peers, clock, and the peer-life actions. */
export interface PeerHost {
  readonly node: Node;
  readonly identity: NodeIdentity;
  readonly events: Emitter<NetworkEvents>;
  /** Connected peers in any state but closed. */
  readonly peers: ReadonlyMap<PeerId, Peer>;
  /** The network clock (ms). */
  now(): number;
  send(p: Peer, message: Message): void;
  close(p: Peer, why: CloseReason): void;
  /**
   * Bans a peer for misbehaviour found after its message was queued (a block body decoded when
   * its batch is connected): closes its link with the ban while it is connected; once it has
   * left, the key it proved is banned all the same.
   */
  punish(p: Peer, reason: string): void;
}

/** What the network tells of a peer. */
export function peerInfo(p: Peer): PeerInfo {
  return {
    id: p.id,
    state: p.state,
    height: p.height,
    latencyMs: p.latencyMs,
    inbound: p.inbound,
    userAgent: p.remote?.userAgent ?? '',
    ...(p.lastBlockAt !== undefined ? { lastBlockAt: p.lastBlockAt } : {}),
    ...(p.lastTxAt !== undefined ? { lastTxAt: p.lastTxAt } : {}),
  };
}

/** Ready peers, in the order they connected. */
export function readyPeers(host: PeerHost): Peer[] {
  return [...host.peers.values()].filter((p) => p.state === 'ready');
}

/** How many entries the network's bounded sets and maps keep. */
export const KNOWN_LIMIT = 5000;

/** A peer's send backlog (bytes) above which blocks and block txs are not served to it until it drains. */
export const MAX_SEND_BACKLOG = 8 * 1024 * 1024;

/** Adds to a bounded set of remembered keys (the oldest goes first). */
export function remember(set: Set<string>, key: string): void {
  set.add(key);
  if (set.size > KNOWN_LIMIT) set.delete(set.values().next().value!);
}
