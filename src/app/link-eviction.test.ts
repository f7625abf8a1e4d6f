/** Bitcoin Core's inbound eviction rules as a tab applies them to its ready inbound links. */
import { describe, expect, it } from 'vitest';
import { selectLinkToEvict, type EvictionCandidate } from './link-eviction.ts';

/** Peer `n`, connected at minute `n` (so higher n is younger), slow unless told. */
function peer(n: number, extra: Partial<EvictionCandidate> = {}): EvictionCandidate {
  return { id: n.toString(16).padStart(32, '0'), connectedAt: n * 60_000, latencyMs: 500, ...extra };
}

describe('selectLinkToEvict', () => {
  it('behavior: with nothing known but age, the youngest goes and the older half is kept', () => {
    expect(selectLinkToEvict([1, 2, 3, 4].map((n) => peer(n)), 8)).toBe(peer(4).id);
  });

  it('behavior: the lowest-latency peers are kept however young', () => {
    const candidates = [peer(1), peer(2), peer(3), peer(4, { latencyMs: 5 }), peer(5, { latencyMs: 8 })];
    expect(selectLinkToEvict(candidates, 8)).toBe(peer(3).id);
  });

  it('behavior: peers that delivered recent blocks or txs are kept, when the network knows it', () => {
    const candidates = [peer(1), peer(2), peer(3), peer(4, { lastTxAt: 1_000 }), peer(5, { lastBlockAt: 2_000 }), peer(6, { lastBlockAt: 1_000 })];
    // Protected: 1 and 2 by latency (all equal: the older win the tie), 4 by txs, 5 and 6 by
    // blocks; 3 is left, and the older half of one protects nobody.
    expect(selectLinkToEvict(candidates, 8)).toBe(peer(3).id);
  });

  it('behavior: when every candidate is protected nobody is evicted (the offer is refused)', () => {
    expect(selectLinkToEvict([peer(1, { latencyMs: 5 }), peer(2, { latencyMs: 6 })], 8)).toBeNull();
    expect(selectLinkToEvict([], 8)).toBeNull();
  });
});
