/**
 * @module The peer-to-peer side of a node: handshakes, headers-first sync, block and tx relay,
 * ping/pong, misbehaviour and bans, and signaling relayed between peers (mesh introductions).
 *
 * Pure: links come in through {@link LinkPort}s (WebRTC data channels in the browser, anything
 * in tests), time through `tick(now)` calls (milliseconds), so every timeout is testable. See
 * docs/protocol.md for the messages and rules.
 */
import type { BlockHeader } from '../primitives/header.ts';
import { decodeBlock } from '../primitives/block.ts';
import { decodeTx, encodeTx, txid, txidBytes } from '../primitives/transaction.ts';
import { blockHash, headerHash } from '../primitives/header.ts';
import { DecodeError } from '../encoding/decode-error.ts';
import { bytesEqual, bytesToHex, hashToHex, hexToHash } from '../encoding/hex.ts';
import { workFromBits } from '../consensus/pow.ts';
import { sha256d } from '../crypto/hash.ts';
import type { Node } from '../node/node.ts';
import type { BanList } from './ban-list.ts';
import { Emitter, type Unsubscribe } from '../util/emitter.ts';
import { randomBytes } from '@noble/hashes/utils.js';
import { TxDelivery } from './tx-delivery.ts';
import { INV_BLOCK, INV_TX, PROTOCOL_VERSION, WIRE_LIMITS, type InvItem, type Message } from './messages.ts';
import { encodeMessage, decodeMessage, peekHeader } from './wire-codec.ts';
import { Reassembler, splitMessage } from './chunking.ts';
import { ByteBudget, DEFAULT_PEER_RATES, TokenBucket } from './rate-limit.ts';
import { BlockDownload } from './block-download.ts';
import { PeerConduct } from './misbehaviour.ts';
import { peerIdOf, signIdentity, verifyIdentity, type PeerId } from './peer-identity.ts';
import { checkRelayedSignal, signRelayedSignal } from './relay-signature.ts';

/** A connected data channel, as the network needs it. The adapter handles back-pressure. */
export interface LinkPort {
  /** Sends one chunk (≤ WIRE_LIMITS.maxChunkSize bytes). Never throws. */
  send(chunk: Uint8Array): void;
  /** Closes the link; the adapter then calls the handle's `closed()`. */
  close(): void;
  /** Bytes sent but not yet on the wire (for serving data under back-pressure). */
  readonly buffered?: number;
}

/** Blocks served for one getdata, and the send backlog above which serving pauses. */
const MAX_BLOCKS_PER_GETDATA = 16;
const MAX_SEND_BACKLOG = 8 * 1024 * 1024;

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
  /** A first peer has this pool tx (see {@link Network.delivered}). */
  'tx-delivered': { readonly txid: string };
}

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
  /** Blocks connected per store write while syncing. */
  readonly batchSize?: number;
  /** Messages per second a peer may send (burst is twice that). */
  readonly messageRate?: number;
}

/** Why a link is closed: `ban` codes also ban the peer; `drop` codes do not (nimiq's CloseType split). */
type CloseReason = { readonly kind: 'ban' | 'drop'; readonly reason: string };

const ban = (reason: string): CloseReason => ({ kind: 'ban', reason });
const drop = (reason: string): CloseReason => ({ kind: 'drop', reason });

interface Peer {
  readonly id: PeerId;
  readonly link: LinkPort;
  readonly inbound: boolean;
  state: PeerState;
  /** The network clock (ms) when it last delivered a block new to us / a tx our pool took. */
  lastBlockAt?: number;
  lastTxAt?: number;
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
  /** Inventory this peer has (announced to or by it): never announced to it again. */
  readonly known: Set<string>;
  /** Stalls and throttled messages (src/core/net/misbehaviour.ts). */
  readonly conduct: PeerConduct;
  /** Txids asked of this peer and not yet answered: their `tx` and `notfound` are answers. */
  readonly txRequested: Set<string>;
  /** Its version named another network: it is banned once its key is proven. */
  foreign: boolean;
  /** A getheaders is outstanding (headers are accepted only in answer to one). */
  headersRequested: boolean;
  height: number;
}

const KNOWN_LIMIT = 5000;

export class Network {
  private readonly node: Node;
  private readonly identity: NodeIdentity;
  private readonly bans: BanList;
  private readonly peers = new Map<PeerId, Peer>();
  private readonly events = new Emitter<NetworkEvents>();
  private readonly userAgent: string;
  private readonly handshakeTimeout: number;
  private readonly pingInterval: number;
  private readonly pingTimeout: number;
  private readonly blockTimeout: number;
  private readonly maxInFlightPerPeer: number;
  private readonly batchSize: number;
  private readonly messageRate: number;
  private now = 0;
  private lastTick = 0;
  /** Blocks that arrived and wait to be connected in a batch. */
  private arrived: { block: Uint8Array; from: PeerId; hash: string }[] = [];
  /** Hashes in `arrived`: not to be asked for again while they wait. */
  private readonly arrivedHashes = new Set<string>();
  private processing: Promise<void> = Promise.resolve();
  /** Where a tx came from, so it is not announced back. */
  private readonly txSource = new Map<string, PeerId>();
  private sync: { startHeight: number; total: number } | undefined;
  /** Blocks in flight per peer, what each peer has, failed and set-aside blocks. */
  private readonly download: BlockDownload;
  private readonly unsubscribe: Unsubscribe[] = [];
  /** Which pool txs some peer has (a payment made offline is queued until one does). */
  private readonly delivery = new TxDelivery(
    (id) => this.node.mempool.has(id),
    (id) => this.events.emit('tx-delivered', { txid: id }),
  );

  constructor(options: NetworkOptions) {
    this.node = options.node;
    this.identity = options.identity;
    this.bans = options.bans;
    // The wire allows 64 bytes of user agent.
    this.userAgent = truncateUtf8(options.userAgent ?? 'tabchain', WIRE_LIMITS.maxUserAgent);
    this.handshakeTimeout = options.handshakeTimeout ?? 10_000;
    this.pingInterval = options.pingInterval ?? 15_000;
    this.pingTimeout = options.pingTimeout ?? 60_000;
    this.blockTimeout = options.blockTimeout ?? 20_000;
    this.maxInFlightPerPeer = options.maxInFlightPerPeer ?? 16;
    this.batchSize = options.batchSize ?? 64;
    this.messageRate = options.messageRate ?? 200;
    this.download = new BlockDownload({ blockTimeout: this.blockTimeout, maxInFlightPerPeer: this.maxInFlightPerPeer });
    this.unsubscribe.push(
      this.node.on('tip', (tip) => this.announce({ kind: INV_BLOCK, hash: hexToHash(tip.hash) })),
      this.node.on('tx-accepted', (entry) => this.announce({ kind: INV_TX, hash: hexToHash(entry.txid) }, this.txSource.get(entry.txid))),
      this.node.on('tx-removed', (e) => this.delivery.forget(e.txid)),
    );
  }

  on<K extends keyof NetworkEvents>(event: K, handler: (payload: NetworkEvents[K]) => void): Unsubscribe {
    return this.events.on(event, handler);
  }

  /** Some peer has this pool tx: we served it to one, or one announced or sent it to us. */
  delivered(txid: string): boolean {
    return this.delivery.has(txid);
  }

  get peerId(): PeerId {
    return this.identity.peerId;
  }

  /** Peers in any state but closed. */
  peerInfo(): PeerInfo[] {
    return [...this.peers.values()].map((p) => this.info(p));
  }

  readyPeerIds(): PeerId[] {
    return [...this.peers.values()].filter((p) => p.state === 'ready').map((p) => p.id);
  }

  has(peerId: PeerId): boolean {
    return this.peers.has(peerId);
  }

  isBanned(peerId: PeerId): boolean {
    return this.bans.isBanned(peerId);
  }

  private info(p: Peer): PeerInfo {
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

  // ---- Links -----------------------------------------------------------------------------------

  /**
   * A data channel to `remoteId` opened. Returns the handle the adapter feeds with received
   * chunks, or undefined (and closes the link) when the peer is banned or already connected.
   */
  addLink(remoteId: PeerId, link: LinkPort, inbound: boolean): LinkHandle | undefined {
    if (remoteId === this.identity.peerId || this.bans.isBanned(remoteId) || this.peers.has(remoteId)) {
      link.close();
      return undefined;
    }
    const peer: Peer = {
      id: remoteId,
      link,
      inbound,
      state: 'handshaking',
      openedAt: this.now,
      nonce: randomBytes(32),
      remote: undefined,
      verified: false,
      reassembler: new Reassembler(),
      bucket: new TokenBucket(this.messageRate, this.messageRate * 2, this.now),
      bytes: new ByteBudget(DEFAULT_PEER_RATES.unsolicitedBytesPerSecond, DEFAULT_PEER_RATES.unsolicitedByteBurst, this.now),
      nextMessageId: 1,
      lastHeard: this.now,
      pingNonce: undefined,
      pingSentAt: 0,
      lastPingAt: this.now,
      latencyMs: null,
      known: new Set(),
      // Over budget, a peer's messages are dropped; a second burst's worth gets it disconnected.
      conduct: new PeerConduct({ throttleBurst: this.messageRate * 2, throttleRefillPerSecond: this.messageRate / 4 }, this.now),
      txRequested: new Set(),
      foreign: false,
      headersRequested: false,
      height: 0,
    };
    this.peers.set(remoteId, peer);
    this.download.addPeer(remoteId, this.now);
    const tip = this.node.tip;
    this.send(peer, {
      type: 'version',
      protocolVersion: PROTOCOL_VERSION,
      networkId: this.node.params.networkId,
      height: tip.height,
      tipHash: hexToHash(tip.hash),
      totalWork: tip.chainWork,
      publicKey: this.identity.publicKey,
      nonce: peer.nonce,
      userAgent: this.userAgent,
    });
    return {
      receive: (chunk, now) => {
        if (now !== undefined && now > this.now) this.now = Math.floor(now);
        this.receive(peer, chunk);
      },
      closed: () => this.forget(peer, drop('link closed')),
    };
  }

  /** Closes one peer's link (or all), without a ban. */
  disconnect(peerId?: PeerId): void {
    for (const p of [...this.peers.values()]) if (peerId === undefined || p.id === peerId) this.close(p, drop('disconnected by the user'));
  }

  /** Bans a peer (and closes its link if connected). */
  async ban(peerId: PeerId, reason = 'banned by the user'): Promise<void> {
    await this.bans.ban(peerId, reason);
    const p = this.peers.get(peerId);
    if (p) this.close(p, drop(reason));
  }

  private close(p: Peer, why: CloseReason): void {
    if (p.state === 'closed') return;
    // A ban is tied to a key the peer proved (its verack signed our nonce, and the key hashes to
    // the id the link is filed under): before that, the id is only claimed, and banning it could
    // frame whoever owns it. An unproven peer is closed without a ban.
    if (why.kind === 'ban' && !p.verified) why = drop(why.reason);
    if (why.kind === 'ban') this.bans.ban(p.id, why.reason).catch((error: unknown) => this.node.reportError(error));
    this.forget(p, why);
    p.link.close();
  }

  private forget(p: Peer, why: CloseReason): void {
    if (p.state === 'closed') return;
    const wasReady = p.state === 'ready';
    p.state = 'closed';
    this.peers.delete(p.id);
    // Blocks it owed us go back to the pool of work for other peers.
    this.download.removePeer(p.id);
    if (wasReady || why.kind === 'ban') this.events.emit('peer-disconnected', { id: p.id, reason: why.reason, banned: why.kind === 'ban' });
    // The others learn it left: their mesh introductions through this node end with it.
    if (wasReady) this.sendPeerLists();
    this.requestBlocks();
  }

  private send(p: Peer, message: Message): void {
    if (p.state === 'closed') return;
    const bytes = encodeMessage(message);
    for (const chunk of splitMessage(bytes, p.nextMessageId)) p.link.send(chunk);
    p.nextMessageId = (p.nextMessageId + 1) >>> 0 || 1;
  }

  private receive(p: Peer, chunk: Uint8Array): void {
    if (p.state === 'closed') return;
    const result = p.reassembler.push(chunk, this.now);
    if (result.kind === 'pending') return;
    if (result.kind === 'error') return this.close(p, result.reason === 'oversize' ? ban(`oversized message`) : drop(`bad chunk: ${result.reason}`));
    let message: Message;
    try {
      message = decodeMessage(result.bytes);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      // Another protocol version is not garbage: part without a ban.
      const header = peekHeader(result.bytes);
      if (header && header.version !== PROTOCOL_VERSION) return this.close(p, drop(`protocol version ${header.version}`));
      return this.close(p, ban(`malformed message: ${error.message}`));
    }
    p.lastHeard = this.now;
    // Answers to our requests are free; everything else counts against the peer's message and
    // byte budgets. Over budget, a message is dropped (throttled); a peer that keeps it up is
    // disconnected, not banned: rate is not misbehaviour (misbehaviour.ts).
    if (!this.requested(p, message) && (!p.bucket.take(this.now) || !p.bytes.spend(this.now, result.bytes.length))) {
      if (p.conduct.throttle(this.now) === 'disconnect') this.close(p, drop('rate exceeded'));
      return;
    }
    this.handle(p, message);
  }

  /** Whether a message answers a request of ours (flood limits count only what we did not ask for). */
  private requested(p: Peer, m: Message): boolean {
    if (m.type === 'headers') return p.headersRequested;
    // A block's hash is its first 80 bytes' sha256d, a tx's id its encoding's: per item, cheaply.
    if (m.type === 'block') return m.block.length >= 80 && this.download.isInFlightFrom(p.id, hashToHex(sha256d(m.block.subarray(0, 80))));
    if (m.type === 'tx') return p.txRequested.has(hashToHex(sha256d(m.tx)));
    if (m.type === 'pong') return p.pingNonce === m.nonce;
    if (m.type === 'notfound') {
      return m.items.every((i) => (i.kind === INV_BLOCK ? this.download.isInFlightFrom(p.id, hashToHex(i.hash)) : p.txRequested.has(hashToHex(i.hash))));
    }
    return false;
  }

  // ---- Messages ----------------------------------------------------------------------------------

  private handle(p: Peer, m: Message): void {
    if (m.type === 'version') return this.onVersion(p, m);
    if (m.type === 'verack') return this.onVerack(p, m.signature);
    // Nothing but the handshake counts before it is complete.
    if (p.state !== 'ready') return;
    switch (m.type) {
      case 'ping':
        return this.send(p, { type: 'pong', nonce: m.nonce });
      case 'pong':
        if (p.pingNonce !== undefined && m.nonce === p.pingNonce) {
          p.latencyMs = Math.max(0, this.now - p.pingSentAt);
          p.pingNonce = undefined;
          this.download.setLatency(p.id, p.latencyMs);
        }
        return;
      case 'getheaders':
        return this.send(p, {
          type: 'headers',
          headers: this.node.chain.headersAfter(m.locator.map(hashToHex), isZero(m.stopHash) ? undefined : hashToHex(m.stopHash), WIRE_LIMITS.maxHeaders),
        });
      case 'headers':
        return void this.onHeaders(p, m.headers).catch((error: unknown) => this.node.reportError(error));
      case 'inv':
        return this.onInv(p, m.items);
      case 'getdata':
        return void this.onGetData(p, m.items).catch((error: unknown) => this.node.reportError(error));
      case 'notfound':
        return this.onNotFound(p, m.items);
      case 'block':
        return this.onBlock(p, m.block);
      case 'tx':
        return void this.onTx(p, m.tx).catch((error: unknown) => this.node.reportError(error));
      case 'peers':
        return void this.events.emit('peer-list', { from: p.id, peers: m.peers.filter((id) => id !== this.identity.peerId) });
      case 'signal':
        return this.onSignal(p, m);
    }
  }

  private onVersion(p: Peer, m: Extract<Message, { type: 'version' }>): void {
    if (p.remote) return; // A second handshake is ignored (test-plan D.26).
    if (peerIdOf(m.publicKey) !== p.id) return this.close(p, drop('public key does not match the peer id'));
    if (m.protocolVersion !== PROTOCOL_VERSION) return this.close(p, drop(`protocol version ${m.protocolVersion}`));
    // A peer of another network is banned, but only once its verack proves its key (checked
    // against its own network id): until then its id is merely claimed.
    p.foreign = !bytesEqual(m.networkId, this.node.params.networkId);
    p.remote = m;
    p.height = m.height;
    if (!p.foreign) this.download.announced(p.id, hashToHex(m.tipHash), this.node.chain);
    this.send(p, { type: 'verack', signature: signIdentity(this.identity.secretKey, 'handshake', m.nonce, this.node.params.networkId) });
    this.maybeReady(p);
  }

  private onVerack(p: Peer, signature: Uint8Array): void {
    if (p.verified) return;
    if (!p.remote) return this.close(p, ban('verack before version'));
    if (!verifyIdentity(p.remote.publicKey, signature, 'handshake', p.nonce, p.remote.networkId)) return this.close(p, ban('failed key proof'));
    p.verified = true;
    if (p.foreign) return this.close(p, ban('another network'));
    this.maybeReady(p);
  }

  private maybeReady(p: Peer): void {
    if (p.state !== 'handshaking' || !p.remote || !p.verified) return;
    p.state = 'ready';
    // Ping at the next tick, so the link's latency is known at once.
    p.lastPingAt = this.now - this.pingInterval;
    this.events.emit('peer-connected', this.info(p));
    // Everyone learns whom everyone else is linked to: that is how the mesh introduces tabs.
    this.sendPeerLists();
    if (p.remote.totalWork > this.node.tip.chainWork) this.requestHeaders(p);
    // Pending txs go to every new peer: a payment signed offline leaves once a peer is there.
    const pending = this.node.mempool.sorted().slice(0, WIRE_LIMITS.maxInv);
    const items = pending.map((e) => ({ kind: INV_TX, hash: hexToHash(e.txid) }) as const).filter((i) => !p.known.has(bytesToHex(i.hash)));
    for (const item of items) remember(p.known, bytesToHex(item.hash));
    if (items.length) this.send(p, { type: 'inv', items });
  }

  /** Tells every ready peer whom else this node is linked to (mesh introductions; each list replaces the last). */
  private sendPeerLists(): void {
    for (const other of this.peers.values()) {
      if (other.state !== 'ready') continue;
      this.send(other, { type: 'peers', peers: this.readyPeerIds().filter((id) => id !== other.id).slice(0, WIRE_LIMITS.maxPeerList) });
    }
  }

  private requestHeaders(p: Peer): void {
    p.headersRequested = true;
    // From the best header we can still download (not a branch set aside, download.ts).
    const from = this.download.syncTarget(this.node.chain, this.now);
    this.send(p, { type: 'getheaders', locator: this.node.chain.locator(from.hash).map(hexToHash), stopHash: new Uint8Array(32) });
  }

  /**
   * Headers-first sync: headers must answer our request and form one continuous chain; they
   * are filed only when the batch ends with more work than our tip (a flood of low-work
   * headers fills nothing and downloads no bodies, test-plan C.21).
   */
  private async onHeaders(p: Peer, headers: readonly BlockHeader[]): Promise<void> {
    if (!p.headersRequested) return; // Unsolicited: ignored.
    p.headersRequested = false;
    if (headers.length === 0) return this.requestBlocks();
    const hashes = headers.map((h) => headerHash(h));
    for (let i = 1; i < headers.length; i++) {
      if (!bytesEqual(headers[i]!.prevHash, hashes[i - 1]!)) return this.close(p, ban('headers are not a continuous chain'));
    }
    const parent = this.node.chain.entry(hashToHex(headers[0]!.prevHash));
    if (!parent) return; // Our locator did not reach its fork: nothing to attach it to yet.
    let work = parent.chainWork;
    for (const h of headers) work += workFromBits(h.bits);
    if (work <= this.node.tip.chainWork && headers.length < WIRE_LIMITS.maxHeaders) return;
    if (work <= this.node.tip.chainWork) return; // A long low-work branch: not followed (see docs).
    // One chain operation and one store write for the whole message.
    for (const outcome of await this.node.chain.processHeaders(headers)) {
      if (outcome.status === 'rejected') {
        if (outcome.rejection.punish) return this.close(p, ban(`invalid header: ${outcome.rejection.code}`));
        break;
      }
    }
    const last = this.node.chain.entry(hashToHex(hashes[hashes.length - 1]!));
    if (last) p.height = Math.max(p.height, last.height);
    // It sent these headers: it has these blocks (what it may be asked for).
    if (last) this.download.announced(p.id, last.hash, this.node.chain);
    if (headers.length === WIRE_LIMITS.maxHeaders) this.requestHeaders(p);
    this.startSync();
    this.requestBlocks();
  }

  private onInv(p: Peer, items: readonly InvItem[]): void {
    const wantTx: InvItem[] = [];
    let newBlock = false;
    for (const item of items) {
      const key = bytesToHex(item.hash);
      remember(p.known, key);
      if (item.kind === INV_BLOCK) {
        // A block known invalid for good is never asked for again, whoever announces it (its
        // headers, if the peer sends them, get it banned in onHeaders: bad-prevblk or the code).
        if (this.node.chain.invalidity(hashToHex(item.hash))) continue;
        const known = this.node.chain.entry(hashToHex(item.hash));
        // The peer has this block: its height is at least that (shown in peers()).
        if (known) p.height = Math.max(p.height, known.height);
        else newBlock = true;
        this.download.announced(p.id, hashToHex(item.hash), this.node.chain);
      } else if (this.node.mempool.has(hashToHex(item.hash))) this.delivery.mark(hashToHex(item.hash));
      else wantTx.push(item);
    }
    if (newBlock && !p.headersRequested) this.requestHeaders(p);
    if (wantTx.length) {
      for (const item of wantTx) if (p.txRequested.size < WIRE_LIMITS.maxInv) p.txRequested.add(hashToHex(item.hash));
      this.send(p, { type: 'getdata', items: wantTx });
    }
  }

  /**
   * `notfound` answers our getdata: a block we asked this peer for is asked of another peer, and
   * the peer is marked a staller (one stall per message; dropped after repeated stalls, never
   * banned: an honest peer may lack a block or be too busy to serve it).
   */
  private onNotFound(p: Peer, items: readonly InvItem[]): void {
    let failed = false;
    for (const item of items) {
      const hash = hashToHex(item.hash);
      if (item.kind === INV_TX) p.txRequested.delete(hash);
      else if (this.download.notFound(p.id, hash, this.now)) failed = true;
    }
    if (failed && p.conduct.stall(this.now) === 'disconnect') return this.close(p, drop('stalling block download'));
    this.requestBlocks();
  }

  private async onGetData(p: Peer, items: readonly InvItem[]): Promise<void> {
    const missing: InvItem[] = [];
    let blocks = 0;
    for (const item of items) {
      const hash = hashToHex(item.hash);
      // A peer asking for more than it can take gets notfound, not an unbounded send queue.
      if (item.kind === INV_BLOCK && (++blocks > MAX_BLOCKS_PER_GETDATA || (p.link.buffered ?? 0) > MAX_SEND_BACKLOG)) {
        missing.push(item);
        continue;
      }
      if (item.kind === INV_TX) {
        const entry = this.node.mempool.get(hash);
        if (entry) {
          this.send(p, { type: 'tx', tx: encodeTx(entry.tx) });
          this.delivery.mark(hash);
        } else missing.push(item);
      } else {
        const entry = this.node.chain.entry(hash);
        const bytes = entry?.hasData ? await this.node.chain.getBlockBytes(hash) : undefined;
        if (bytes) {
          this.send(p, { type: 'block', block: bytes });
          // A peer that asks for a block will have it: its height is at least that.
          if (this.node.chain.isActive(hash)) p.height = Math.max(p.height, entry!.height);
        } else missing.push(item);
      }
      remember(p.known, bytesToHex(item.hash));
    }
    if (missing.length) this.send(p, { type: 'notfound', items: missing });
  }

  private onBlock(p: Peer, bytes: Uint8Array): void {
    let hash: string;
    try {
      hash = blockHash(decodeBlock(bytes, this.node.params.limits).header);
    } catch (error) {
      if (error instanceof DecodeError) return this.close(p, ban(`malformed block: ${error.message}`));
      throw error;
    }
    // Only blocks we asked this peer for are taken (an unrequested block is ignored).
    if (!this.download.received(p.id, hash, bytes.length, this.now)) return;
    remember(p.known, bytesToHex(hexToHash(hash)));
    this.arrived.push({ block: bytes, from: p.id, hash });
    this.arrivedHashes.add(hash);
    this.requestBlocks();
    if (this.arrived.length >= this.batchSize || this.inFlightCount() === 0) this.flushArrived();
  }

  /** Connects the blocks that arrived, in one store write; punishes senders of invalid ones. */
  private flushArrived(): void {
    if (this.arrived.length === 0) return;
    const batch = this.arrived;
    this.arrived = [];
    this.processing = this.processing.then(async () => {
      for (const b of batch) this.arrivedHashes.delete(b.hash);
      const blocks = batch.map((b) => decodeBlock(b.block, this.node.params.limits));
      const outcomes = await this.node.chain.processBlocks(blocks);
      outcomes.forEach((o, i) => {
        const sender = this.peers.get(batch[i]!.from);
        if (o.status === 'rejected' && o.rejection.punish) {
          if (sender) this.close(sender, ban(`invalid block: ${o.rejection.code}`));
        } else if (sender && (o.status === 'connected' || o.status === 'side-chain')) {
          sender.lastBlockAt = this.now;
        }
      });
      this.reportSync();
      this.requestBlocks();
    }).catch(() => {
      // A failed write (storage) leaves the chain as it was; the blocks are asked for again.
      this.requestBlocks();
    });
  }

  private async onTx(p: Peer, bytes: Uint8Array): Promise<void> {
    let tx;
    try {
      tx = decodeTx(bytes, this.node.params.limits);
    } catch (error) {
      if (error instanceof DecodeError) return this.close(p, ban(`malformed tx: ${error.message}`));
      throw error;
    }
    const id = txid(tx);
    p.txRequested.delete(id);
    remember(p.known, bytesToHex(txidBytes(tx)));
    this.txSource.set(id, p.id);
    if (this.txSource.size > KNOWN_LIMIT) this.txSource.delete(this.txSource.keys().next().value!);
    // A relayed tx: never persisted as an orphan (Node.receiveTx; submitTx is the wallet's path).
    const result = await this.node.receiveTx(tx);
    if (result.ok) {
      p.lastTxAt = this.now;
      this.delivery.mark(id);
    } else if (result.punish) this.close(p, ban(`invalid tx: ${result.code}`));
  }

  private onSignal(p: Peer, m: Extract<Message, { type: 'signal' }>): void {
    // Every hop checks the sender's signature before it uses or forwards a relayed signal, so a
    // forgery stops at the first honest hop and the peer that handed it over is the forger.
    const check = checkRelayedSignal(m, this.node.params.networkId, this.node.clock.now());
    if (check === 'forged') return this.close(p, ban(`relayed a signal not signed by ${m.from}`));
    if (check === 'stale') return;
    if (m.to === this.identity.peerId) {
      this.events.emit('signal', { from: m.from, data: m.data, via: p.id });
      return;
    }
    const next = this.peers.get(m.to);
    if (!next || next.state !== 'ready' || m.hops === 0) return;
    this.send(next, { ...m, hops: m.hops - 1 });
  }

  /**
   * Sends signaling for `to` through a connected peer (mesh introduction while the server is
   * away), signed with this node's key so nobody on the way can pass it off as another's.
   */
  relaySignal(via: PeerId, to: PeerId, data: string): boolean {
    const p = this.peers.get(via);
    if (!p || p.state !== 'ready' || new TextEncoder().encode(data).length > WIRE_LIMITS.maxSignalData) return false;
    const fields = { from: this.identity.peerId, to, time: Math.max(0, Math.min(0xffffffff, Math.floor(this.node.clock.now()))), data };
    const signature = signRelayedSignal(this.identity.secretKey, fields, this.node.params.networkId);
    this.send(p, { type: 'signal', ...fields, hops: WIRE_LIMITS.maxSignalHops, publicKey: this.identity.publicKey, signature });
    return true;
  }

  /** Announces new inventory to every ready peer that does not have it (never back to its source). */
  private announce(item: InvItem, source?: PeerId): void {
    const key = bytesToHex(item.hash);
    for (const p of this.peers.values()) {
      if (p.state !== 'ready' || p.id === source || p.known.has(key)) continue;
      remember(p.known, key);
      this.send(p, { type: 'inv', items: [item] });
    }
  }

  // ---- Sync --------------------------------------------------------------------------------------

  private inFlightCount(): number {
    return this.download.totalInFlight();
  }

  private startSync(): void {
    const best = this.download.syncTarget(this.node.chain, this.now);
    const tip = this.node.tip;
    if (best.chainWork <= tip.chainWork) return;
    if (!this.sync) this.sync = { startHeight: tip.height, total: 0 };
    this.sync.total = Math.max(this.sync.total, best.height - this.sync.startHeight);
    this.reportSync();
  }

  private reportSync(): void {
    if (!this.sync) return;
    const done = Math.min(this.sync.total, Math.max(0, this.node.tip.height - this.sync.startHeight));
    const complete = this.download.syncTarget(this.node.chain, this.now).chainWork <= this.node.tip.chainWork;
    this.events.emit('sync', { done: complete ? this.sync.total : done, total: this.sync.total });
    if (complete) this.sync = undefined;
  }

  /**
   * Asks ready peers for missing bodies they have (block-download.ts), those with fewer recent
   * stalls first, then the least loaded.
   */
  private requestBlocks(): void {
    const ready = [...this.peers.values()].filter((p) => p.state === 'ready');
    if (ready.length === 0) return;
    const rank = new Map(ready.map((p) => [p, p.conduct.stallCount(this.now) * 1_000 + this.download.inFlightFrom(p.id)]));
    ready.sort((a, b) => rank.get(a)! - rank.get(b)!);
    const batches = this.download.assign(ready.map((p) => p.id), this.node.chain, this.arrivedHashes, this.now);
    for (const [id, hashes] of batches) {
      const p = this.peers.get(id)!;
      // All of it in one getdata: a message per block would look like a flood to the serving side.
      this.send(p, { type: 'getdata', items: hashes.map((h) => ({ kind: INV_BLOCK, hash: hexToHash(h) })) });
    }
  }

  /**
   * Syncs with every ready peer now (the tutorials' `/nodes/resolve`): asks each for headers
   * and resolves once no request is outstanding (or after `timeoutMs` of ticks).
   */
  async resolve(timeoutMs = 30_000): Promise<{ replaced: boolean; tip: { height: number; hash: string } }> {
    const before = this.node.tip.hash;
    for (const p of this.peers.values()) if (p.state === 'ready') this.requestHeaders(p);
    const started = this.now;
    await new Promise<void>((resolve) => {
      const check = (): void => {
        const busy = [...this.peers.values()].some((p) => p.headersRequested) || this.inFlightCount() > 0 || this.arrived.length > 0;
        if (!busy || this.now - started > timeoutMs) {
          off();
          void this.processing.then(() => resolve());
        }
      };
      const off = this.onTick(check);
      check();
    });
    const tip = this.node.tip;
    return { replaced: tip.hash !== before, tip: { height: tip.height, hash: tip.hash } };
  }

  // ---- Time --------------------------------------------------------------------------------------

  private readonly tickHandlers = new Set<() => void>();

  private onTick(handler: () => void): () => void {
    this.tickHandlers.add(handler);
    return () => this.tickHandlers.delete(handler);
  }

  /**
   * Advances the network's clock (milliseconds): handshake and ping timeouts, stalled chunk
   * sequences, and block requests that timed out (asked again from another peer). A long gap
   * since the last tick (a hidden, throttled tab) restarts the timers instead of timing peers out.
   */
  tick(nowMs: number): void {
    // Whole milliseconds: performance.now() is fractional, and ping nonces are integers.
    const now = Math.floor(nowMs);
    const gap = now - this.lastTick;
    // The first tick, or one after a long gap, restarts every timer rather than judging peers by
    // time the node itself did not see pass.
    const throttled = this.lastTick === 0 || gap > this.pingInterval;
    this.now = now;
    this.lastTick = now;
    if (throttled) this.download.restartTimers(now);
    for (const p of [...this.peers.values()]) {
      if (throttled) {
        p.openedAt = now;
        // Ping right away: after a long sleep, check the link (and measure it) first thing.
        p.lastPingAt = now - this.pingInterval;
        p.lastHeard = now;
        p.pingNonce = undefined;
      }
      const stalled = p.reassembler.expire(now);
      if (stalled) {
        this.close(p, drop('stalled message'));
        continue;
      }
      if (p.state === 'handshaking') {
        if (now - p.openedAt > this.handshakeTimeout) this.close(p, drop('no handshake in time'));
        continue;
      }
      if (p.pingNonce !== undefined && now - p.pingSentAt > this.pingTimeout) {
        this.close(p, drop('ping timeout'));
        continue;
      }
      if (p.pingNonce === undefined && now - p.lastPingAt >= this.pingInterval) {
        p.pingNonce = BigInt(now) * 1000n + BigInt(this.peers.size);
        p.pingSentAt = now;
        p.lastPingAt = now;
        this.send(p, { type: 'ping', nonce: p.pingNonce });
      }
    }
    // A peer that has not delivered the head of its queue in time stalls: its requests go to
    // other peers; after repeated stalls it is dropped (no ban: it may just be slow).
    for (const failure of this.download.expire(now)) {
      const p = this.peers.get(failure.peer);
      if (p && p.conduct.stall(now) === 'disconnect') this.close(p, drop('stalling block download'));
    }
    if (this.arrived.length && this.inFlightCount() === 0) this.flushArrived();
    this.requestBlocks();
    for (const handler of [...this.tickHandlers]) handler();
  }

  /** Stops listening to the node and closes every link. */
  dispose(): void {
    for (const off of this.unsubscribe) off();
    this.disconnect();
  }
}

function truncateUtf8(text: string, maxBytes: number): string {
  let out = '';
  for (const ch of text) {
    if (new TextEncoder().encode(out + ch).length > maxBytes) break;
    out += ch;
  }
  return out;
}

function isZero(hash: Uint8Array): boolean {
  return hash.every((b) => b === 0);
}

function remember(set: Set<string>, key: string): void {
  set.add(key);
  if (set.size > KNOWN_LIMIT) set.delete(set.values().next().value!);
}

