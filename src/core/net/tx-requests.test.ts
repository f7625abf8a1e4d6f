import { describe, expect, it } from 'vitest';
import { MAX_PER_PEER, TX_REQUEST_TIMEOUT_MS, TxRequests } from './tx-requests.ts';
import type { PeerId } from './peer-identity.ts';

const A = 'a' as PeerId;
const B = 'b' as PeerId;
const C = 'c' as PeerId;

describe('TxRequests', () => {
  it('behavior: the first announcer is asked; the others wait and are asked in order when it answers notfound', () => {
    const r = new TxRequests();
    expect(r.announced('t', A, 0)).toBe(true);
    expect(r.announced('t', B, 1)).toBe(false);
    expect(r.announced('t', C, 2)).toBe(false);
    // An announcement repeated is no second alternative.
    expect(r.announced('t', B, 3)).toBe(false);
    expect(r.notFound('t', A, 4)).toEqual({ txid: 't', peer: B });
    expect(r.notFound('t', B, 5)).toEqual({ txid: 't', peer: C });
    expect(r.notFound('t', C, 6)).toBeUndefined();
    expect(r.has('t')).toBe(false);
    // Forgotten once nobody is left: a new announcement is asked at once.
    expect(r.announced('t', A, 7)).toBe(true);
  });

  it('behavior: once the tx arrives, from anyone, nobody else is asked', () => {
    const r = new TxRequests();
    r.announced('t', A, 0);
    r.announced('t', B, 0);
    r.received('t');
    expect(r.has('t')).toBe(false);
    expect(r.expire(10 * TX_REQUEST_TIMEOUT_MS)).toEqual([]);
    expect(r.removePeer(A, 0)).toEqual([]);
  });

  it('behavior: a request unanswered for the timeout goes to the next announcer, and none is made again of a peer that already failed', () => {
    const r = new TxRequests();
    r.announced('t', A, 0);
    r.announced('t', B, 100);
    expect(r.expire(TX_REQUEST_TIMEOUT_MS - 1)).toEqual([]);
    expect(r.expire(TX_REQUEST_TIMEOUT_MS)).toEqual([{ txid: 't', peer: B }]);
    // B's turn runs from when it was asked.
    expect(r.expire(2 * TX_REQUEST_TIMEOUT_MS - 1)).toEqual([]);
    expect(r.expire(2 * TX_REQUEST_TIMEOUT_MS)).toEqual([]);
    expect(r.has('t')).toBe(false);
  });

  it('behavior: a peer that leaves hands its requests to the next announcers and is nobody\'s alternative any more', () => {
    const r = new TxRequests();
    r.announced('t1', A, 0);
    r.announced('t1', B, 0);
    r.announced('t2', B, 0);
    r.announced('t2', A, 0);
    r.announced('t3', A, 0);
    expect(r.removePeer(A, 1)).toEqual([{ txid: 't1', peer: B }]);
    // t2 was asked of B; A waited for it and is gone from its alternatives.
    expect(r.notFound('t2', B, 2)).toBeUndefined();
    // t3 had no other announcer: forgotten.
    expect(r.has('t3')).toBe(false);
  });

  it('behavior: a notfound from a peer not asked only removes it from the alternatives', () => {
    const r = new TxRequests();
    r.announced('t', A, 0);
    r.announced('t', B, 0);
    r.announced('t', C, 0);
    expect(r.notFound('t', B, 1)).toBeUndefined();
    expect(r.notFound('t', A, 2)).toEqual({ txid: 't', peer: C });
  });

  it('error: a flood of announcements of made-up txs fills only its sender\'s share; an honest turn waiting behind it survives and comes', () => {
    const r = new TxRequests();
    // A announces t first (and will withhold it); B waits its turn.
    expect(r.announced('t', A, 0)).toBe(true);
    expect(r.announced('t', B, 0)).toBe(false);
    // Then A floods 6,000 made-up ids: its share is MAX_PER_PEER, the rest ignored, nothing evicted.
    let asked = 0;
    for (let i = 0; i < 6_000; i++) if (r.announced(`junk${i}`, A, 1)) asked++;
    expect(asked).toBe(MAX_PER_PEER - 1);
    expect(r.trackedFrom(A)).toBe(MAX_PER_PEER);
    expect(r.has('junk5999')).toBe(false);
    // C's announcements are still taken.
    expect(r.announced('other', C, 1)).toBe(true);
    // A never answers: B is asked for t after the timeout; A's junk expires with nobody to ask.
    expect(r.expire(TX_REQUEST_TIMEOUT_MS + 1)).toEqual([{ txid: 't', peer: B }]);
    expect(r.trackedFrom(A)).toBe(0);
    // Left: t, asked of B ('other' expired with nobody else to ask).
    expect(r.size).toBe(1);
  });

  it('behavior: a tx that arrived or was mined is not asked for again when announced later', () => {
    const r = new TxRequests();
    r.announced('t', A, 0);
    r.received('t');
    expect(r.announced('t', B, 1)).toBe(false);
    // Mined without ever being asked for (a block): the same.
    r.received('mined');
    expect(r.announced('mined', A, 2)).toBe(false);
    expect(r.trackedFrom(A)).toBe(0);
    expect(r.trackedFrom(B)).toBe(0);
  });
});
