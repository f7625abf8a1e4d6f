/**
 * @module Relay: inventory announced to peers that lack it (never echoed to its source), txs and
 * blocks served on getdata, relayed txs handed to the pool, the delivery bookkeeping of pool txs,
 * signaling relayed through the mesh (signed by its sender), and peer lists.
 *
 * Blocks a peer announces are handed to sync scheduling (block-sync.ts), which decides what to ask.
 */
import { encodeTx, txid } from '../primitives/transaction.ts';
import { DecodeError } from '../encoding/decode-error.ts';
import { hashToHex, hexToHash } from '../encoding/hex.ts';
import { sha256d } from '../crypto/hash.ts';
import { INV_BLOCK, INV_CMPCT_BLOCK, INV_TX, WIRE_LIMITS, type InvItem, type Message } from './messages.ts';
import { TxDelivery } from './tx-delivery.ts';
import { TxRequests, type TxAsk } from './tx-requests.ts';
import { checkRelayedSignal, signRelayedSignal } from './relay-signature.ts';
import type { PeerId } from './peer-identity.ts';
import type { BlockSync } from './block-sync.ts';
import { ban, KNOWN_LIMIT, MAX_SEND_BACKLOG, readyPeers, remember, type Peer, type PeerHost } from './peer.ts';

/**
 * A peer gets at most about one tx inv per this many ms in a burst (a lone tx still leaves at
 * once); the rest wait for the next tick (Network.tick, every second in the app).
 */
const TX_INV_INTERVAL_MS = 1_000;

/** A tx to ask for: its inventory item and its txid (display hex), made once. */
interface WantedTx {
  readonly item: InvItem;
  readonly id: string;
}

/** Blocks served for one getdata (the send backlog above which serving pauses is peer.ts's). */
const MAX_BLOCKS_PER_GETDATA = 16;


export class Relay {
  private readonly host: PeerHost;
  private readonly sync: BlockSync;
  /** Where a tx came from, so it is not announced back. */
  private readonly txSource = new Map<string, PeerId>();
  /** Which pool txs some peer has (a payment made offline is queued until one does). */
  private readonly delivery: TxDelivery;
  /** Which peer each missing tx is asked of (one at a time, tx-requests.ts). */
  private readonly txRequests = new TxRequests();

  constructor(
    host: PeerHost,
    sync: BlockSync,
    /** Sends a block asked as a compact block as one, if it is recent (compact-relay.ts); false: send it whole. */
    private readonly serveCompact: (p: Peer, hash: string) => Promise<boolean> = () => Promise.resolve(false),
  ) {
    this.host = host;
    this.sync = sync;
    this.delivery = new TxDelivery(
      (id) => this.host.node.mempool.has(id),
      (id) => this.host.events.emit('tx-delivered', { txid: id }),
    );
  }

  private get node(): PeerHost['node'] {
    return this.host.node;
  }

  /** Some peer has this pool tx: we served it to one, or one announced or sent it to us. */
  delivered(txid: string): boolean {
    return this.delivery.has(txid);
  }

  /**
   * A tx left the pool: its delivery is forgotten, except when a reorg took it out. A reorg empties
   * the pool and puts back what is still valid at once, and the peers that had such a tx still
   * have it (and know we do, so nobody asks or announces it again): its mark must survive. A tx
   * that does not come back is dropped from the marks later (TxDelivery keeps only pool txs).
   */
  txRemoved(txid: string, reason: string): void {
    if (reason !== 'reorg') this.delivery.forget(txid);
  }

  /** The peer our pool got this tx from (not to be told of it again), if it came from one. */
  txSourceOf(txid: string): PeerId | undefined {
    return this.txSource.get(txid);
  }

  /** Whether a message answers our request to this peer (a tx we asked for, or notfound for ours). */
  requested(p: Peer, m: Message): boolean {
    // A tx's id is its encoding's sha256d: per item, cheaply.
    if (m.type === 'tx') return p.txRequested.has(hashToHex(sha256d(m.tx)));
    if (m.type === 'notfound') {
      return m.items.every((i) => (i.kind !== INV_TX ? this.sync.isInFlightFrom(p.id, hashToHex(i.hash)) : p.txRequested.has(hashToHex(i.hash))));
    }
    return false;
  }

  /**
   * Announces new inventory to every ready peer that does not have it (never back to its source);
   * `key` is its hash as display-order hex (a tx's: the pool's txid string, kept in peers' `known`).
   * A block goes out at once. A tx waits for its peer's next tx inv: the announcements of one turn
   * leave together at its end, and a peer sent one less than {@link TX_INV_INTERVAL_MS} ago gets
   * the rest at the next tick. One inv per tx would spend a receiver's message budget (200 a
   * second, misbehaviour.ts) in a burst of a few hundred txs and get this node disconnected.
   */
  announce(item: InvItem, key: string, source?: PeerId): void {
    for (const p of this.host.peers.values()) {
      if (p.state !== 'ready' || p.id === source || p.known.has(key)) continue;
      remember(p.known, key);
      if (item.kind !== INV_TX) {
        this.host.send(p, { type: 'inv', items: [item] });
        continue;
      }
      const queue = this.txInv.get(p);
      if (queue) queue.push(item);
      else this.txInv.set(p, [item]);
      if ((queue?.length ?? 1) >= WIRE_LIMITS.maxInv) this.sendTxInv(p);
      if (!this.txInvTurn) {
        this.txInvTurn = true;
        void Promise.resolve().then(() => {
          this.txInvTurn = false;
          this.flushTxInv(false);
        });
      }
    }
  }

  /**
   * A txid as the pool's own string when the pool has the tx. Each peer's `known` set holds up to
   * {@link KNOWN_LIMIT} ids; most announcements of a tx come after it is in the pool, and a fresh
   * string per peer per announcement was most of the strings a simulated node held (700 k of
   * 1.4 M at 60 nodes after 10 blocks).
   */
  private txKey(hex: string): string {
    return this.node.mempool.get(hex)?.txid ?? hex;
  }

  /** Tx announcements waiting for their peer's next tx inv (see {@link announce}). */
  private readonly txInv = new Map<Peer, InvItem[]>();
  /** A flush at the end of this turn is scheduled. */
  private txInvTurn = false;

  /**
   * Sends the waiting tx announcements: to every peer (`all`, at each tick), or only to those not
   * sent a tx inv within {@link TX_INV_INTERVAL_MS} (at the end of a turn).
   */
  flushTxInv(all = true): void {
    const now = this.host.now();
    for (const p of [...this.txInv.keys()]) {
      if (p.state !== 'ready') this.txInv.delete(p);
      else if (all || p.lastTxInvAt === undefined || now - p.lastTxInvAt >= TX_INV_INTERVAL_MS) this.sendTxInv(p);
    }
  }

  private sendTxInv(p: Peer): void {
    // A tx that left the pool while waiting (mined, replaced) is not announced: the peer would
    // ask for it and get notfound.
    const items = this.txInv.get(p)?.filter((item) => this.node.mempool.has(hashToHex(item.hash)));
    this.txInv.delete(p);
    if (!items?.length) return;
    p.lastTxInvAt = this.host.now();
    this.host.send(p, { type: 'inv', items });
  }

  /** Pending txs go to every new peer: a payment signed offline leaves once a peer is there. */
  offerPending(p: Peer): void {
    const pending = this.node.mempool.sorted().slice(0, WIRE_LIMITS.maxInv);
    const fresh = pending.filter((e) => !p.known.has(e.txid));
    for (const e of fresh) remember(p.known, e.txid);
    if (fresh.length) this.host.send(p, { type: 'inv', items: fresh.map((e) => ({ kind: INV_TX, hash: hexToHash(e.txid) }) as const) });
  }

  /** Tells every ready peer whom else this node is linked to (mesh introductions; each list replaces the last). */
  sendPeerLists(): void {
    for (const other of this.host.peers.values()) {
      if (other.state !== 'ready') continue;
      const ids = readyPeers(this.host).map((p) => p.id);
      this.host.send(other, { type: 'peers', peers: ids.filter((id) => id !== other.id).slice(0, WIRE_LIMITS.maxPeerList) });
    }
  }

  onPeerList(p: Peer, peers: readonly PeerId[]): void {
    this.host.events.emit('peer-list', { from: p.id, peers: peers.filter((id) => id !== this.host.identity.peerId) });
  }

  onInv(p: Peer, items: readonly InvItem[]): void {
    const wantTx: WantedTx[] = [];
    const now = this.host.now();
    let newBlock = false;
    for (const item of items) {
      const hex = hashToHex(item.hash);
      if (item.kind === INV_BLOCK) {
        remember(p.known, hex);
        if (this.sync.blockAnnounced(p, item.hash)) newBlock = true;
        if (p.state === 'closed') return; // It announced a block known invalid (banned).
        continue;
      }
      const id = this.txKey(hex);
      remember(p.known, id);
      if (this.node.mempool.has(id)) this.delivery.mark(id);
      // Asked of the first announcer only; the others wait their turn (tx-requests.ts).
      else if (this.txRequests.announced(id, p.id, now)) wantTx.push({ item, id });
    }
    if (newBlock && !p.headersRequested) this.sync.requestHeaders(p);
    if (wantTx.length) this.getTxs(p, wantTx);
  }

  /** `notfound` for txs we asked of this peer: those requests are answered, and their next announcers asked (blocks: block-sync.ts). */
  onNotFound(p: Peer, items: readonly InvItem[]): void {
    const asks: TxAsk[] = [];
    const now = this.host.now();
    for (const item of items) {
      if (item.kind !== INV_TX) continue;
      const id = hashToHex(item.hash);
      p.txRequested.delete(id);
      const ask = this.txRequests.notFound(id, p.id, now);
      if (ask) asks.push(ask);
    }
    this.askTxs(asks);
  }

  /** A peer left: the txs we asked of it are asked of the next peers that announced them. */
  removePeer(id: PeerId): void {
    this.askTxs(this.txRequests.removePeer(id, this.host.now()));
  }

  /** A block connected: its txs are not asked for any more (the waiting announcers would only answer notfound). */
  blockConnected(txids: readonly string[]): void {
    for (const id of txids) this.txRequests.received(id);
  }

  /** At each tick: tx requests unanswered too long go to the next announcer. */
  expireTxRequests(now: number): void {
    this.askTxs(this.txRequests.expire(now));
  }

  /** Sends getdata for txs handed on to other announcers (one message per peer); a peer no longer ready passes its turn on. */
  private askTxs(asks: readonly TxAsk[]): void {
    if (asks.length === 0) return;
    const now = this.host.now();
    const byPeer = new Map<Peer, WantedTx[]>();
    for (const first of asks) {
      let ask: TxAsk | undefined = first;
      while (ask) {
        if (this.node.mempool.has(ask.txid)) {
          this.txRequests.received(ask.txid);
          break;
        }
        const p = this.host.peers.get(ask.peer);
        if (p?.state === 'ready') {
          const items = byPeer.get(p) ?? [];
          items.push({ item: { kind: INV_TX, hash: hexToHash(ask.txid) }, id: ask.txid });
          byPeer.set(p, items);
          break;
        }
        ask = this.txRequests.notFound(ask.txid, ask.peer, now);
      }
    }
    for (const [p, wanted] of byPeer) this.getTxs(p, wanted);
  }

  /** Asks a peer for txs in one getdata, noting them as asked of it (so its answers are not unsolicited). */
  private getTxs(p: Peer, wanted: readonly WantedTx[]): void {
    for (const { id } of wanted) if (p.txRequested.size < WIRE_LIMITS.maxInv) p.txRequested.add(id);
    this.host.send(p, { type: 'getdata', items: wanted.map((w) => w.item) });
  }

  async onGetData(p: Peer, items: readonly InvItem[]): Promise<void> {
    const missing: InvItem[] = [];
    let blocks = 0;
    for (const item of items) {
      const hash = hashToHex(item.hash);
      // A peer asking for more than it can take gets notfound, not an unbounded send queue.
      // Blocks asked whole or as compact blocks alike (a compact request for an old block is
      // served whole).
      if (item.kind !== INV_TX && (++blocks > MAX_BLOCKS_PER_GETDATA || (p.link.buffered ?? 0) > MAX_SEND_BACKLOG)) {
        missing.push(item);
        continue;
      }
      if (item.kind === INV_TX) {
        const entry = this.node.mempool.get(hash);
        if (entry) {
          this.host.send(p, { type: 'tx', tx: encodeTx(entry.tx) });
          this.delivery.mark(hash);
        } else missing.push(item);
        remember(p.known, entry?.txid ?? hash);
        continue;
      } else if (item.kind === INV_CMPCT_BLOCK && (await this.serveCompact(p, hash))) {
        // Sent as a cmpctblock.
      } else {
        const entry = this.node.chain.entry(hash);
        const bytes = entry?.hasData ? await this.node.chain.getBlockBytes(hash) : undefined;
        if (bytes) {
          this.host.send(p, { type: 'block', block: bytes });
          // A peer that asks for a block will have it: its height is at least that.
          if (this.node.chain.isActive(hash)) p.height = Math.max(p.height, entry!.height);
        } else missing.push(item);
      }
      remember(p.known, hash);
    }
    if (missing.length) this.host.send(p, { type: 'notfound', items: missing });
  }

  async onTx(p: Peer, bytes: Uint8Array): Promise<void> {
    let tx;
    try {
      tx = this.node.decoder.tx(bytes, this.node.params.limits);
    } catch (error) {
      if (error instanceof DecodeError) return this.host.close(p, ban(`malformed tx: ${error.message}`));
      throw error;
    }
    const id = txid(tx);
    p.txRequested.delete(id);
    this.txRequests.received(id);
    remember(p.known, id);
    this.txSource.set(id, p.id);
    if (this.txSource.size > KNOWN_LIMIT) this.txSource.delete(this.txSource.keys().next().value!);
    // A relayed tx: never persisted as an orphan (Node.receiveTx; submitTx is the wallet's path).
    const result = await this.node.receiveTx(tx);
    if (result.ok) {
      p.lastTxAt = this.host.now();
      this.delivery.mark(id);
    } else if (result.punish) this.host.close(p, ban(`invalid tx: ${result.code}`));
  }

  onSignal(p: Peer, m: Extract<Message, { type: 'signal' }>): void {
    // Every hop checks the sender's signature before it uses or forwards a relayed signal, so a
    // forgery stops at the first honest hop and the peer that handed it over is the forger.
    const check = checkRelayedSignal(m, this.node.params.networkId, this.node.clock.now());
    if (check === 'forged') return this.host.close(p, ban(`relayed a signal not signed by ${m.from}`));
    if (check === 'stale') return;
    if (m.to === this.host.identity.peerId) {
      this.host.events.emit('signal', { from: m.from, data: m.data, via: p.id });
      return;
    }
    const next = this.host.peers.get(m.to);
    if (!next || next.state !== 'ready' || m.hops === 0) return;
    this.host.send(next, { ...m, hops: m.hops - 1 });
  }

  /**
   * Sends signaling for `to` through a connected peer (mesh introduction while the server is
   * away), signed with this node's key so nobody on the way can pass it off as another's.
   */
  relaySignal(via: PeerId, to: PeerId, data: string): boolean {
    const p = this.host.peers.get(via);
    if (!p || p.state !== 'ready' || new TextEncoder().encode(data).length > WIRE_LIMITS.maxSignalData) return false;
    const { identity } = this.host;
    const fields = { from: identity.peerId, to, time: Math.max(0, Math.min(0xffffffff, Math.floor(this.node.clock.now()))), data };
    const signature = signRelayedSignal(identity.secretKey, fields, this.node.params.networkId);
    this.host.send(p, { type: 'signal', ...fields, hops: WIRE_LIMITS.maxSignalHops, publicKey: identity.publicKey, signature });
    return true;
  }
}
