import { describe, expect, it } from 'vitest';
import { TX_REQUEST_TIMEOUT_MS, TxRequests } from './tx-requests.ts';
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

  it('error: a flood of announcements of made-up txs keeps at most 5,000 requests (the oldest forgotten)', () => {
    const r = new TxRequests();
    for (let i = 0; i < 6_000; i++) r.announced(`t${i}`, A, 0);
    expect(r.size).toBe(5_000);
    expect(r.has('t0')).toBe(false);
    expect(r.has('t5999')).toBe(true);
  });
});
