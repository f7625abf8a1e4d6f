/**
 * @module Which ready inbound link to drop when every slot is taken and a new peer offers: Bitcoin
 * Core's inbound eviction (`SelectNodeToEvict` in src/node/eviction.cpp, formerly net.cpp, called
 * by `CConnman::AttemptToEvictConnection`), scaled from its 125 slots to a tab's 8. Each rule
 * protects the peers an attacker finds hardest to imitate (latency needs a nearby machine, recent
 * novel blocks and txs need useful work, uptime needs patience); one of those left is evicted,
 * else nobody is. Bitcoin's netgroup rules have no counterpart: a tab has no address to group by.
 * Unlike Bitcoin, whose sort also protects peers that never delivered when fewer than k did, a
 * block or tx time that is unknown protects nobody here (uptime is protected by its own rule).
 */
import type { PeerId } from '../core/index.ts';

export interface EvictionCandidate {
  readonly id: PeerId;
  /** When the link opened (ms); the longest connected are protected. */
  readonly connectedAt: number;
  /** Ping round trip (ms), null while unknown (sorts as the slowest). */
  readonly latencyMs: number | null;
  /** When this peer last gave us a block (ms), when the Network knows; a block we did not have counts. */
  readonly lastBlockAt?: number;
  /** When this peer last gave us a tx new to our pool (ms), when known. */
  readonly lastTxAt?: number;
}

/**
 * How many each rule protects, for `slots` links. Bitcoin protects 8 by ping, 4 by novel txs and
 * 4 by novel blocks out of up to 117 inbound, then half of the rest by uptime; a tab has 8 slots
 * in all, so the same rules protect fewer each (at least one).
 */
function protectCounts(slots: number): { latency: number; blocks: number; txs: number } {
  const scale = Math.max(1, Math.floor(slots / 4));
  return { latency: scale, blocks: scale, txs: Math.max(1, Math.floor(scale / 2)) };
}

/** Removes the `n` best of `pool` by `better` (ties keep the longest connected), as Bitcoin's EraseLastKElements. */
function protect(pool: EvictionCandidate[], n: number, key: (c: EvictionCandidate) => number | undefined): EvictionCandidate[] {
  const known = pool.filter((c) => key(c) !== undefined);
  // Bitcoin protects only peers that did deliver (its comparators put "never" last and the
  // protection is of those with a nonzero time): unknown facts protect nobody.
  const best = new Set(
    known
      .sort((a, b) => key(b)! - key(a)! || a.connectedAt - b.connectedAt)
      .slice(0, n)
      .map((c) => c.id),
  );
  return pool.filter((c) => !best.has(c.id));
}

/**
 * The link to evict, or null when every candidate is protected. Order as in Bitcoin: lowest
 * latency, then most recent novel txs, then most recent novel blocks, then half of the rest by
 * longest connected; of the others the youngest goes (Bitcoin picks the youngest of its largest
 * netgroup: a tab has no address to group by, so all are one group).
 */
export function selectLinkToEvict(candidates: readonly EvictionCandidate[], slots: number): PeerId | null {
  const counts = protectCounts(slots);
  let pool = [...candidates];
  pool = protect(pool, counts.latency, (c) => (c.latencyMs === null ? undefined : -c.latencyMs));
  pool = protect(pool, counts.txs, (c) => c.lastTxAt);
  pool = protect(pool, counts.blocks, (c) => c.lastBlockAt);
  pool = protect(pool, Math.floor(pool.length / 2), (c) => -c.connectedAt);
  if (pool.length === 0) return null;
  return pool.reduce((youngest, c) => (c.connectedAt > youngest.connectedAt ? c : youngest)).id;
}
