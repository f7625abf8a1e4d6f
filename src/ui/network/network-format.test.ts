import { describe, expect, it } from 'vitest';
import { banReason, parseMaxPeers, shortPeerId, syncSummary } from './network-format.ts';

describe('syncSummary', () => {
  it('behavior: blocks left, percent and the ETA at the current rate', () => {
    expect(syncSummary({ done: 100, total: 500 }, 40)).toEqual({ done: 100, total: 500, left: 400, percent: 20, etaSeconds: 10 });
  });

  it('behavior: no ETA without a rate', () => {
    expect(syncSummary({ done: 0, total: 10 }, null)?.etaSeconds).toBeNull();
    expect(syncSummary({ done: 0, total: 10 }, 0)?.etaSeconds).toBeNull();
  });

  it('behavior: nothing when there is no sync or it is done', () => {
    expect(syncSummary(null, 5)).toBeNull();
    expect(syncSummary({ done: 10, total: 10 }, 5)).toBeNull();
    expect(syncSummary({ done: 0, total: 0 }, 5)).toBeNull();
  });
});

describe('peer ids and ban reasons', () => {
  it('behavior: a peer id is shortened to 8 characters', () => {
    expect(shortPeerId('0123456789abcdef0123456789abcdef')).toBe('01234567…');
    expect(shortPeerId('abc')).toBe('abc');
  });

  it('behavior: known reasons are recognized with their detail', () => {
    expect(banReason('banned by the user')).toEqual({ kind: 'user', detail: '' });
    expect(banReason('message flood')).toEqual({ kind: 'flood', detail: '' });
    expect(banReason('invalid block: bad-txnmrklroot')).toEqual({ kind: 'invalid-block', detail: 'bad-txnmrklroot' });
    expect(banReason('malformed tx: truncated')).toEqual({ kind: 'malformed', detail: 'tx: truncated' });
  });

  it('error: an unknown reason is left to be shown as it is', () => {
    expect(banReason('something new')).toBeNull();
  });

  it('behavior: max peers is a whole number from 0 to 64', () => {
    expect(parseMaxPeers('8')).toBe(8);
    expect(parseMaxPeers(0)).toBe(0);
    expect(parseMaxPeers('64')).toBe(64);
    expect(parseMaxPeers('65')).toBeNull();
    expect(parseMaxPeers('-1')).toBeNull();
    expect(parseMaxPeers('2.5')).toBeNull();
    expect(parseMaxPeers('')).toBeNull();
    expect(parseMaxPeers(Number.NaN)).toBeNull();
  });
});
