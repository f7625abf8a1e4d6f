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
 * Pure bookkeeping: time comes in as `now` (ms), the relay sends the `getdata`s.
 */
import type { PeerId } from './peer-identity.ts';

/** How long the peer asked for a tx has to send it before the next announcer is asked (ms). */
export const TX_REQUEST_TIMEOUT_MS = 5_000;
/** Alternatives kept per tx: as many as a tab has peers. */
const MAX_ALTERNATIVES = 8;
/** Txs tracked at once (the oldest request is forgotten beyond: a flood of invs cannot grow it). */
const MAX_TRACKED = 5_000;

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

  /**
   * `from` announced a tx the pool lacks. True: ask it now (nobody else is being asked). False: a
   * request to another peer is out; `from` waits as an alternative.
   */
  announced(txid: string, from: PeerId, now: number): boolean {
    const request = this.requests.get(txid);
    if (!request) {
      this.requests.set(txid, { asked: from, askedAt: now, waiting: [] });
      if (this.requests.size > MAX_TRACKED) this.requests.delete(this.requests.keys().next().value!);
      return true;
    }
    if (request.asked !== from && !request.waiting.includes(from) && request.waiting.length < MAX_ALTERNATIVES) request.waiting.push(from);
    return false;
  }

  /** The tx arrived (from anyone, valid or not: its id commits to its bytes, nobody has another). */
  received(txid: string): void {
    this.requests.delete(txid);
  }

  /** The peer asked answered `notfound`: the next announcer, if any, is asked. */
  notFound(txid: string, from: PeerId, now: number): TxAsk | undefined {
    const request = this.requests.get(txid);
    if (!request) return undefined;
    if (request.asked !== from) {
      // An alternative that has not been asked says it no longer has it: it is no alternative.
      const at = request.waiting.indexOf(from);
      if (at >= 0) request.waiting.splice(at, 1);
      return undefined;
    }
    return this.next(txid, request, now);
  }

  /** A peer left: the txs asked of it are asked of their next announcers; it is nobody's alternative. */
  removePeer(id: PeerId, now: number): TxAsk[] {
    const asks: TxAsk[] = [];
    for (const [txid, request] of [...this.requests]) {
      const at = request.waiting.indexOf(id);
      if (at >= 0) request.waiting.splice(at, 1);
      if (request.asked !== id) continue;
      const ask = this.next(txid, request, now);
      if (ask) asks.push(ask);
    }
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

  private next(txid: string, request: Request, now: number): TxAsk | undefined {
    const peer = request.waiting.shift();
    if (peer === undefined) {
      this.requests.delete(txid);
      return undefined;
    }
    request.asked = peer;
    request.askedAt = now;
    return { txid, peer };
  }
}
