/**
 * @module Which peer a missing tx is asked of: one at a time, Bitcoin Core's TxRequestTracker in
 * miniature. The first peer to announce a tx the pool lacks is asked for it; peers that announce
 * it while that request is out are kept as alternatives and asked in turn only when the one asked
 * answers `notfound`, leaves, or has not answered within {@link TX_REQUEST_TIMEOUT_MS}.
 *
 * Why: asking every announcer at once (as the relay did) fetched each tx from every peer whose
 * `inv` arrived before the tx did. The simulator measured it at 100 nodes of 6 links: 1.4 copies of
 * every tx crossed the network, 40 % of the tx bytes and of the pool's work wasted.
 *
 * Bounds, so that no peer can push out the others' turns: each peer has at most
 * {@link MAX_PER_PEER} announcements tracked (asked of it or waiting), beyond which its
 * announcements are ignored (Core's MAX_PEER_TX_ANNOUNCEMENTS); nothing is ever evicted for a
 * newcomer, so a flood of made-up ids only fills its own sender's share, and those requests, asked
 * of it alone, expire after the timeout. Txs that arrived (in the pool, orphaned, or refused) or
 * were mined are remembered for a while ({@link RECENT_LIMIT}), so an `inv` that comes while one
 * is being validated, or after its block, does not fetch another copy.
 *
 * Pure bookkeeping: time comes in as `now` (ms), the relay sends the `getdata`s.
 */
import type { PeerId } from './peer-identity.ts';

/** How long the peer asked for a tx has to send it before the next announcer is asked (ms). */
export const TX_REQUEST_TIMEOUT_MS = 5_000;
/** Alternatives kept per tx: as many as a tab has peers. */
const MAX_ALTERNATIVES = 8;
/** Announcements tracked per peer (asked of it, or waiting its turn). */
export const MAX_PER_PEER = 1_000;
/** Txs that arrived or were mined, not asked for again. */
const RECENT_LIMIT = 10_000;

interface Request {
  asked: PeerId;
  askedAt: number;
  /** Peers that announced it since, in order, not asked yet. */
  readonly waiting: PeerId[];
}

/** A tx to ask of a peer now. */
export interface TxAsk {
  readonly txid: string;
  readonly peer: PeerId;
}

export class TxRequests {
  private readonly requests = new Map<string, Request>();
  /** Announcements tracked per peer. */
  private readonly perPeer = new Map<PeerId, number>();
  /** Txids that arrived or were mined (oldest first). */
  private readonly recent = new Set<string>();

  /**
   * `from` announced a tx the pool lacks. True: ask it now (nobody else is being asked). False: a
   * request to another peer is out (`from` waits as an alternative), the tx came recently, or
   * `from` has its share of announcements tracked already.
   */
  announced(txid: string, from: PeerId, now: number): boolean {
    if (this.recent.has(txid)) return false;
    const request = this.requests.get(txid);
    if (request && (request.asked === from || request.waiting.includes(from) || request.waiting.length >= MAX_ALTERNATIVES)) return false;
    if ((this.perPeer.get(from) ?? 0) >= MAX_PER_PEER) return false;
    this.count(from, 1);
    if (request) {
      request.waiting.push(from);
      return false;
    }
    this.requests.set(txid, { asked: from, askedAt: now, waiting: [] });
    return true;
  }

  /** The tx arrived (from anyone, valid or not: its id commits to its bytes, nobody has another), or a block holds it. */
  received(txid: string): void {
    const request = this.requests.get(txid);
    if (request) {
      this.count(request.asked, -1);
      for (const peer of request.waiting) this.count(peer, -1);
      this.requests.delete(txid);
    }
    this.recent.delete(txid);
    this.recent.add(txid);
    if (this.recent.size > RECENT_LIMIT) this.recent.delete(this.recent.values().next().value!);
  }

  /** The peer asked answered `notfound`: the next announcer, if any, is asked. */
  notFound(txid: string, from: PeerId, now: number): TxAsk | undefined {
    const request = this.requests.get(txid);
    if (!request) return undefined;
    if (request.asked !== from) {
      // An alternative that has not been asked says it no longer has it: it is no alternative.
      const at = request.waiting.indexOf(from);
      if (at >= 0) {
        request.waiting.splice(at, 1);
        this.count(from, -1);
      }
      return undefined;
    }
    return this.next(txid, request, now);
  }

  /** A peer left: the txs asked of it are asked of their next announcers; it is nobody's alternative. */
  removePeer(id: PeerId, now: number): TxAsk[] {
    const asks: TxAsk[] = [];
    if (!this.perPeer.has(id)) return asks;
    for (const [txid, request] of [...this.requests]) {
      const at = request.waiting.indexOf(id);
      if (at >= 0) request.waiting.splice(at, 1);
      if (request.asked !== id) continue;
      const ask = this.next(txid, request, now);
      if (ask) asks.push(ask);
    }
    this.perPeer.delete(id);
    return asks;
  }

  /** Requests unanswered for {@link TX_REQUEST_TIMEOUT_MS}: asked of their next announcers (or forgotten). */
  expire(now: number): TxAsk[] {
    const asks: TxAsk[] = [];
    for (const [txid, request] of [...this.requests]) {
      if (now - request.askedAt < TX_REQUEST_TIMEOUT_MS) continue;
      const ask = this.next(txid, request, now);
      if (ask) asks.push(ask);
    }
    return asks;
  }

  /** Whether a request for this tx is out (to anyone). */
  has(txid: string): boolean {
    return this.requests.has(txid);
  }

  get size(): number {
    return this.requests.size;
  }

  /** Announcements of this peer tracked now. */
  trackedFrom(id: PeerId): number {
    return this.perPeer.get(id) ?? 0;
  }

  /** The one asked is done with (answered notfound, timed out, left): the next waiting is asked, or the request ends. */
  private next(txid: string, request: Request, now: number): TxAsk | undefined {
    this.count(request.asked, -1);
    const peer = request.waiting.shift();
    if (peer === undefined) {
      this.requests.delete(txid);
      return undefined;
    }
    request.asked = peer;
    request.askedAt = now;
    return { txid, peer };
  }

  private count(peer: PeerId, delta: number): void {
    const n = (this.perPeer.get(peer) ?? 0) + delta;
    if (n > 0) this.perPeer.set(peer, n);
    else this.perPeer.delete(peer);
  }
}
