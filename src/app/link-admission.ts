/**
 * @module Who may take one of a tab's link slots, and a new WebRTC connection: slots an attacker
 * cannot hold. Links still opening (half-open) have their own small budget, and peers with no
 * history a smaller share of it; new connections come from allowances by what the peer has shown;
 * when every slot is taken, a new inbound peer may displace one ready inbound link chosen by
 * Bitcoin Core's eviction rules (link-eviction.ts). The PeerConnector asks; this decides, and
 * drops the links it displaces through the connector.
 */
import { TokenBucket, type PeerId, type PeerInfo } from '../core/index.ts';
import type { ConnectionBudgetView } from '../adapters/net/connection-budget.ts';
import { selectLinkToEvict } from './link-eviction.ts';
import { inboundSlots } from './peer-selection.ts';

/**
 * New connections (outbound or inbound) at most in a burst, then one per CREATE_REFILL_MS. A
 * tab's honest needs are a few links at start and a few a minute of churn; without this, a peer
 * whose links die at once (or that offers under made-up ids through the mesh) makes the tab
 * create connections as fast as it can send, spending the page's budget faster than the
 * collector gives it back.
 */
const CREATE_BURST = 16;
const CREATE_REFILL_MS = 2_000;
/**
 * Connections for peers this tab has no reason to trust yet come from allowances of their own,
 * never from the one above, which stays for peers linked before or in the room for SEASONED_MS:
 * - ids that offered, or that a mesh peer introduced (standing 0): anyone can make them by the
 *   thousand;
 * - ids this tab offers to because they just joined a server's room: a flood of made-up ids
 *   joining, offering and leaving (measured: 4 a second) would otherwise make this tab spend
 *   every creation token on them, both offering to them and answering them, and link nobody else.
 * A new honest tab competes with such a flood for these until it has been in the room
 * SEASONED_MS, then takes from the first allowance. Peers already in the room when this tab
 * joined count as in it that long (signaling-servers.ts): they are not the ids joining by the
 * second, and a newcomer must reach the tabs it found there while a flood of fresh ids goes on.
 */
const CHOSEN_CREATE_BURST = 8;
const CHOSEN_CREATE_REFILL_MS = 4_000;
const NEWCOMER_CREATE_BURST = 4;
const NEWCOMER_CREATE_REFILL_MS = 5_000;

/**
 * Links still opening (connecting, or open and handshaking) at most at once, besides this tab's
 * own choices (at most its outbound slots): a third of the slots, at most 3. With links opening in a few seconds, 3 at a time fill 8 slots within seconds
 * at start, while what fake offers can hold stays 3 of 8: the rest is kept for ready links.
 */
function halfOpenLimit(maxPeers: number): number {
  return Math.min(3, Math.max(1, Math.ceil(maxPeers / 3)));
}
/**
 * What a half-open link's peer has shown, which decides who yields a half-open slot to whom:
 * - 2: it was linked (ready) with this tab before;
 * - 1: this tab chose it (an offer to a peer in a server's room), or it has stayed in a server's
 *   room for SEASONED_MS, or was there when this tab joined (the server lets one address hold 16
 *   sockets, so such ids are few);
 * - 0: nothing (it offered, or a mesh peer introduced it, under an id anyone can make by the
 *   thousand).
 * Peers below 2 hold at most all but one half-open slot, so a peer linked before always finds
 * one; a newcomer takes the slot of the oldest not-yet-open link of lower standing when the
 * budget is full (Bitcoin Core keeps its outbound and protected slots from inbound newcomers in
 * the same spirit). A new honest tab whose offer is refused during a flood of fresh ids gets in
 * on a retry once it has been in the room SEASONED_MS.
 */
export type Standing = 0 | 1 | 2;
const SEASONED_MS = 30_000;
/** Peers remembered as linked before (oldest forgotten first). */
const HISTORY_MAX = 1_024;
/**
 * At most one ready link evicted per this long, so tabs over the slot count do not keep
 * displacing each other (Bitcoin has ~117 inbound slots to absorb that; a tab has 8).
 */
const EVICT_INTERVAL_MS = 30_000;


/** A link this tab offered to a peer it chose in a server's room, or to one linked before (not a mesh introduction of a stranger). */
function ownChoice(link: AdmittedLink): boolean {
  return link.initiator && link.standing >= 1;
}

/** What admission needs to know of a link the connector keeps. */
export interface AdmittedLink {
  readonly initiator: boolean;
  readonly standing: Standing;
  readonly createdAt: number;
  readonly openedAt?: number;
}

/** What admission needs of the connector. */
export interface AdmissionContext {
  /** Every link, open or opening, by peer. */
  links(): ReadonlyMap<PeerId, AdmittedLink>;
  /** Forgets and closes a link admission displaces. */
  drop(peer: PeerId): void;
  /** The Network's view of its peers (state, latency, last block and tx times). */
  peerInfo(): readonly PeerInfo[];
  /** Whether a server's room has had `peer` for at least `ms` without it leaving (or since before this tab joined it). */
  inRoomFor(peer: PeerId, ms: number, now: number): boolean;
  maxPeers(): number;
  readonly budget: ConnectionBudgetView;
}

export class LinkAdmission {
  /** Connections that may be created now, by what the peer has shown (see CREATE_BURST and CHOSEN_CREATE_BURST). */
  private readonly createTokens: Record<'trusted' | 'chosen' | 'newcomer', TokenBucket>;
  /** Peers that were linked (ready) with this tab, least recent first. */
  private readonly linkedBefore = new Map<PeerId, true>();
  private lastEvictionAt = -Infinity;

  constructor(
    private readonly context: AdmissionContext,
    now: number,
  ) {
    this.createTokens = {
      trusted: new TokenBucket(1000 / CREATE_REFILL_MS, CREATE_BURST, now),
      chosen: new TokenBucket(1000 / CHOSEN_CREATE_REFILL_MS, CHOSEN_CREATE_BURST, now),
      newcomer: new TokenBucket(1000 / NEWCOMER_CREATE_REFILL_MS, NEWCOMER_CREATE_BURST, now),
    };
  }

  /** Remembers the peers linked (ready) now as having history here. */
  noteLinked(ready: Set<PeerId>): void {
    for (const id of ready) {
      this.linkedBefore.delete(id);
      this.linkedBefore.set(id, true);
    }
    while (this.linkedBefore.size > HISTORY_MAX) this.linkedBefore.delete(this.linkedBefore.keys().next().value!);
  }

  /** What a peer has shown (see Standing); `chosen`: this tab offers to it through a server. */
  standing(peer: PeerId, chosen: boolean, now: number): Standing {
    if (this.linkedBefore.has(peer)) return 2;
    return chosen || this.seasoned(peer, now) ? 1 : 0;
  }

  private seasoned(peer: PeerId, now: number): boolean {
    return this.context.inRoomFor(peer, SEASONED_MS, now);
  }

  /**
   * True when `pool` (half-open links) is under `limit`, or was made so by closing its oldest link
   * still connecting whose standing is below `standing`.
   */
  private makeRoom(pool: [PeerId, AdmittedLink][], limit: number, standing: Standing): boolean {
    if (pool.length < limit) return true;
    const victims = pool.filter(([, p]) => p.standing < standing && p.openedAt === undefined).sort(([, a], [, b]) => a.createdAt - b.createdAt);
    const victim = victims[0];
    if (!victim || pool.length - 1 >= limit) return false;
    this.context.drop(victim[0]);
    return true;
  }

  /**
   * Whether one more link may be made (after {@link mayCreate}): within the half-open budget and
   * its share for peers not linked before, where a newcomer may take the slot of a link of lower
   * standing still connecting; and within `maxPeers`, an offer within the inbound slots
   * (peer-selection.ts), where a new inbound offer may displace one ready inbound link (Bitcoin
   * Core evicts only inbound peers to admit an inbound one: the links this tab chose itself are not
   * for an offerer to take). `inbound` false: this tab's own choice (or an offer that won a
   * collision with one), which fill() keeps within the outbound slots; `extra`: a choice made
   * again, which may take one link over `maxPeers` until the one it replaces is dropped.
   */
  admit(standing: Standing, inbound: boolean, now: number, ready: Set<PeerId>, extra = false): boolean {
    const maxPeers = this.context.maxPeers();
    const limit = halfOpenLimit(maxPeers);
    // This tab's own choices of peers in a server's room are not in the half-open budget: they are
    // as many as its outbound slots at most (fill), and no offerer can make more of them. Counted
    // in it, they filled it at every tab at once as a room formed (each tab offering to its
    // choices, each refusing the others' offers as its share was full of its own: the simulator's
    // 300 nodes, 167 with no peer).
    const halfOpen = () => [...this.context.links()].filter(([id, p]) => !ready.has(id) && !ownChoice(p));
    if (!(!inbound && standing >= 1)) {
      // The share first: a link it displaces also frees the budget.
      if (standing < 2 && !this.makeRoom(halfOpen().filter(([, p]) => p.standing < 2), Math.max(1, limit - 1), standing)) return false;
      if (!this.makeRoom(halfOpen(), limit, standing)) return false;
    }
    // A choice made again is opened beside the link it replaces (peer-selection.ts): one over, for a while.
    if (!inbound) return this.context.links().size < maxPeers + (extra ? 1 : 0);
    const inboundLimit = inboundSlots(maxPeers);
    const inboundHeld = [...this.context.links().values()].filter((p) => !p.initiator).length;
    if (this.context.links().size < maxPeers && inboundHeld < inboundLimit) return true;
    if (now - this.lastEvictionAt < EVICT_INTERVAL_MS) return false;
    const byId = new Map(this.context.peerInfo().map((p) => [p.id, p]));
    const candidates = [...this.context.links()]
      .filter(([id, p]) => !p.initiator && ready.has(id) && p.openedAt !== undefined)
      .map(([id, p]) => {
        const info = byId.get(id);
        return {
          id,
          connectedAt: p.openedAt!,
          latencyMs: info?.latencyMs ?? null,
          ...(info?.lastBlockAt !== undefined ? { lastBlockAt: info.lastBlockAt } : {}),
          ...(info?.lastTxAt !== undefined ? { lastTxAt: info.lastTxAt } : {}),
        };
      });
    // Protected by Bitcoin's rules in proportion to the inbound slots, as Bitcoin's counts are of its inbound ones.
    const victim = selectLinkToEvict(candidates, inboundLimit);
    if (victim === null) return false;
    this.lastEvictionAt = now;
    // Closing the link tells the Network (its handle), and backs off retries to the victim.
    this.context.drop(victim);
    return true;
  }

  /**
   * True when one more connection to `peer` (of `standing`) may be created now: the page's budget
   * allows it, and so does the creation allowance of what the peer has shown.
   */
  mayCreate(now: number, peer: PeerId, standing: Standing): boolean {
    return this.context.budget.canCreate() && this.creationTokens(now, peer, standing).available(now) >= 1;
  }

  /** Counts a connection about to be created against its allowance (after {@link mayCreate}). */
  take(now: number, peer: PeerId, standing: Standing): void {
    this.creationTokens(now, peer, standing).take(now);
  }

  private creationTokens(now: number, peer: PeerId, standing: Standing): TokenBucket {
    if (standing === 2 || this.seasoned(peer, now)) return this.createTokens.trusted;
    return standing === 1 ? this.createTokens.chosen : this.createTokens.newcomer;
  }
}
