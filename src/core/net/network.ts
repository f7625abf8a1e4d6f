/**
 * @module The peer-to-peer side of a node, and its peer life: links opened and closed, ping/pong,
 * flood budgets, misbehaviour and bans. The handshake with its key proof is handshake.ts; sync
 * scheduling (headers-first sync, block bodies) is block-sync.ts; tx and block inventory, signals
 * relayed between peers (mesh introductions) and peer lists are relay.ts; the state they share is
 * peer.ts.
 *
 * Pure: links come in through {@link LinkPort}s (WebRTC data channels in the browser, anything
 * in tests), time through `tick(now)` calls (milliseconds), so every timeout is testable. See
 * docs/protocol.md for the messages and rules.
 */
import { hexToHash } from '../encoding/hex.ts';
import { txid, txidBytes } from '../primitives/transaction.ts';
import { DecodeError } from '../encoding/decode-error.ts';
import type { Node } from '../node/node.ts';
import type { BanList } from './ban-list.ts';
import { Emitter, type Unsubscribe } from '../util/emitter.ts';
import { randomBytes } from '@noble/hashes/utils.js';
import { INV_BLOCK, INV_TX, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, supportedVersion, type Message } from './messages.ts';
import { encodeMessage, decodeMessage, peekHeader } from './wire-codec.ts';
import { Reassembler, splitMessage } from './chunking.ts';
import { ByteBudget, DEFAULT_PEER_RATES, TokenBucket } from './rate-limit.ts';
import { PeerConduct } from './misbehaviour.ts';
import type { PeerId } from './peer-identity.ts';
import { BlockSync } from './block-sync.ts';
import { Handshake } from './handshake.ts';
import { Relay } from './relay.ts';
import { CompactRelay } from './compact-relay.ts';
import { ban, drop, peerInfo, type CloseReason, type LinkHandle, type LinkPort, type NetworkEvents, type NetworkOptions, type NodeIdentity, type Peer, type PeerHost, type PeerInfo } from './peer.ts';

export type { LinkHandle, LinkPort, NetworkEvents, NetworkOptions, NodeIdentity, PeerInfo, PeerState, SyncProgress } from './peer.ts';

export class Network {
  private readonly node: Node;
  private readonly identity: NodeIdentity;
  private readonly bans: BanList;
  private readonly peers = new Map<PeerId, Peer>();
  private readonly events = new Emitter<NetworkEvents>();
  private readonly handshakeTimeout: number;
  private readonly pingInterval: number;
  private readonly pingTimeout: number;
  private readonly messageRate: number;
  private now = 0;
  private lastTick = 0;
  /** Version and verack with the key proof. */
  private readonly handshake: Handshake;
  /** Headers-first sync and block bodies. */
  private readonly sync: BlockSync;
  /** Inventory, txs, signals and peer lists. */
  private readonly relay: Relay;
  /** Compact block relay (protocol version 3). */
  private readonly compact: CompactRelay;
  private readonly unsubscribe: Unsubscribe[] = [];

  constructor(options: NetworkOptions) {
    this.node = options.node;
    this.identity = options.identity;
    this.bans = options.bans;
    this.handshakeTimeout = options.handshakeTimeout ?? 10_000;
    this.pingInterval = options.pingInterval ?? 15_000;
    this.pingTimeout = options.pingTimeout ?? 60_000;
    this.messageRate = options.messageRate ?? 200;
    const host: PeerHost = {
      node: this.node,
      identity: this.identity,
      events: this.events,
      peers: this.peers,
      now: () => this.now,
      send: (p, message) => this.send(p, message),
      close: (p, why) => this.close(p, why),
      punish: (p, reason) => this.punish(p, reason),
    };
    this.sync = new BlockSync(host, {
      blockTimeout: options.blockTimeout ?? 20_000,
      maxInFlightPerPeer: options.maxInFlightPerPeer ?? 16,
      batchSize: options.batchSize ?? 64,
      // About one full block (250 kB): a batch of full blocks takes seconds to validate, and the
      // syncing tab's height should move every few seconds, not once at the end.
      batchBytes: options.batchBytes ?? 256 * 1024,
      batchAge: 2_000,
    }, (p) => this.compact.newBlockFrom(p));
    this.compact = new CompactRelay(host, this.sync, options.compactTimeout ?? 10_000);
    this.relay = new Relay(host, this.sync, (p, hash) => this.compact.serveCompact(p, hash));
    const protocolVersion = options.protocolVersion ?? PROTOCOL_VERSION;
    if (!supportedVersion(protocolVersion)) throw new RangeError(`protocol version ${protocolVersion} is not one this node speaks`);
    this.handshake = new Handshake(host, this.sync, options.userAgent ?? 'tabchain', protocolVersion, (p, remote) => this.ready(p, remote));
    this.unsubscribe.push(
      this.node.on('block-connected', (e) => {
        this.compact.blockConnected(e);
        this.relay.blockConnected(e.block.txs.map(txid));
      }),
      this.node.on('tip', (tip) => {
        // High-bandwidth peers get the compact block first; the inv then skips them (they know it).
        this.compact.announceTip(tip);
        this.relay.announce({ kind: INV_BLOCK, hash: hexToHash(tip.hash) }, tip.hash);
      }),
      this.node.on('tx-accepted', (entry) => this.relay.announce({ kind: INV_TX, hash: txidBytes(entry.tx) }, entry.txid, this.relay.txSourceOf(entry.txid))),
      this.node.on('tx-removed', (e) => this.relay.txRemoved(e.txid, e.reason)),
    );
  }

  on<K extends keyof NetworkEvents>(event: K, handler: (payload: NetworkEvents[K]) => void): Unsubscribe {
    return this.events.on(event, handler);
  }

  /** Some peer has this pool tx: we served it to one, or one announced or sent it to us. */
  delivered(txid: string): boolean {
    return this.relay.delivered(txid);
  }

  /** Peers asked to push new blocks as compact blocks, most recent first (compact-relay.ts). */
  highBandwidthPeers(): readonly PeerId[] {
    return this.compact.highBandwidthPeers();
  }

  get peerId(): PeerId {
    return this.identity.peerId;
  }

  /** Peers in any state but closed. */
  peerInfo(): PeerInfo[] {
    return [...this.peers.values()].map((p) => peerInfo(p));
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

  /**
   * Sends signaling for `to` through a connected peer (mesh introduction while the server is
   * away), signed with this node's key (relay.ts).
   */
  relaySignal(via: PeerId, to: PeerId, data: string): boolean {
    return this.relay.relaySignal(via, to, data);
  }

  /**
   * Syncs with every ready peer now (the tutorials' `/nodes/resolve`): asks each for headers
   * and resolves once no request is outstanding (or after `timeoutMs` of ticks).
   */
  resolve(timeoutMs = 30_000): Promise<{ replaced: boolean; tip: { height: number; hash: string } }> {
    return this.sync.resolve(timeoutMs);
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
      version: MIN_PROTOCOL_VERSION,
      headersRequested: false,
      height: 0,
      compactTo: undefined,
    };
    this.peers.set(remoteId, peer);
    this.sync.addPeer(remoteId);
    this.handshake.start(peer);
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

  /** A ban for what a peer sent, found after it may have left (see PeerHost.punish). */
  private punish(p: Peer, reason: string): void {
    if (p.state !== 'closed') return this.close(p, ban(reason));
    if (p.verified) void this.ban(p.id, reason).catch((error: unknown) => this.node.reportError(error));
  }

  private forget(p: Peer, why: CloseReason): void {
    if (p.state === 'closed') return;
    const wasReady = p.state === 'ready';
    p.state = 'closed';
    this.peers.delete(p.id);
    // Blocks it owed us go back to the pool of work for other peers.
    this.sync.removePeer(p.id);
    this.compact.removePeer(p.id);
    // Txs asked of it are asked of the next peers that announced them.
    this.relay.removePeer(p.id);
    if (wasReady || why.kind === 'ban') this.events.emit('peer-disconnected', { id: p.id, reason: why.reason, banned: why.kind === 'ban' });
    // The others learn it left: their mesh introductions through this node end with it.
    if (wasReady) this.relay.sendPeerLists();
    this.sync.requestBlocks();
  }

  /** Asks a peer for the headers after our best downloadable header (block-sync.ts). */
  private requestHeaders(p: Peer): void {
    this.sync.requestHeaders(p);
  }

  private send(p: Peer, message: Message): void {
    if (p.state === 'closed') return;
    // At the link's version: the lower of both sides' (the oldest we speak until theirs is known).
    const bytes = encodeMessage(message, p.version);
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
      // A protocol version we do not speak is not garbage: part without a ban.
      const header = peekHeader(result.bytes);
      if (header && !supportedVersion(header.version)) return this.close(p, drop(`protocol version ${header.version}`));
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
    if (m.type === 'pong') return p.pingNonce === m.nonce;
    return this.sync.requested(p, m) || this.relay.requested(p, m) || this.compact.requested(p, m);
  }

  // ---- Messages ----------------------------------------------------------------------------------

  private handle(p: Peer, m: Message): void {
    if (m.type === 'version') return this.handshake.onVersion(p, m);
    if (m.type === 'verack') return this.handshake.onVerack(p, m.signature);
    // Nothing but the handshake counts before it is complete.
    if (p.state !== 'ready') return;
    switch (m.type) {
      case 'ping':
        return this.send(p, { type: 'pong', nonce: m.nonce });
      case 'pong':
        if (p.pingNonce !== undefined && m.nonce === p.pingNonce) {
          p.latencyMs = Math.max(0, this.now - p.pingSentAt);
          p.pingNonce = undefined;
          this.sync.setLatency(p.id, p.latencyMs);
        }
        return;
      case 'getheaders':
        return this.sync.serveHeaders(p, m);
      case 'headers':
        return void this.sync.onHeaders(p, m.headers).catch((error: unknown) => this.node.reportError(error));
      case 'inv':
        return this.relay.onInv(p, m.items);
      case 'getdata':
        return void this.relay.onGetData(p, m.items).catch((error: unknown) => this.node.reportError(error));
      case 'notfound':
        this.relay.onNotFound(p, m.items);
        return this.sync.onNotFound(p, m.items);
      case 'block':
        return this.sync.onBlock(p, m.block);
      case 'tx':
        return void this.relay.onTx(p, m.tx).catch((error: unknown) => this.node.reportError(error));
      case 'peers':
        return this.relay.onPeerList(p, m.peers);
      case 'signal':
        return this.relay.onSignal(p, m);
      case 'sendcmpct':
        return this.compact.onSendCmpct(p, m);
      case 'cmpctblock':
        return void this.compact.onCmpctBlock(p, m).catch((error: unknown) => this.node.reportError(error));
      case 'getblocktxn':
        return void this.compact.onGetBlockTxn(p, m).catch((error: unknown) => this.node.reportError(error));
      case 'blocktxn':
        return this.compact.onBlockTxn(p, m);
    }
  }

  /** The handshake is done (handshake.ts): the peer is ready for everything else. */
  private ready(p: Peer, remote: Extract<Message, { type: 'version' }>): void {
    p.state = 'ready';
    // Ping at the next tick, so the link's latency is known at once.
    p.lastPingAt = this.now - this.pingInterval;
    this.events.emit('peer-connected', peerInfo(p));
    // Everyone learns whom everyone else is linked to: that is how the mesh introduces tabs.
    this.relay.sendPeerLists();
    if (remote.totalWork > this.node.tip.chainWork) this.requestHeaders(p);
    // Pending txs go to every new peer: a payment signed offline leaves once a peer is there.
    this.relay.offerPending(p);
    this.compact.peerReady(p);
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
    if (throttled) this.sync.restartTimers(now);
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
    // Block requests that timed out, blocks waiting to be connected, new requests (block-sync.ts).
    this.sync.tick(now);
    // Tx announcements held back in a burst (relay.ts).
    this.relay.flushTxInv();
    // Tx requests unanswered too long go to another peer that announced the tx (tx-requests.ts).
    this.relay.expireTxRequests(now);
    this.compact.tick(now);
  }

  /** Stops listening to the node and closes every link. */
  dispose(): void {
    for (const off of this.unsubscribe) off();
    this.disconnect();
  }
}
