/**
 * The extra outbound link's decisions (extra-outbound.ts), with a fixed clock: when one is
 * wanted, which link goes once it has been judged, and the stale-tip check.
 */
import { describe, expect, it } from 'vitest';
import type { PeerInfo } from '../core/index.ts';
import { EXTRA_HOLD_MS, EXTRA_INTERVAL_MS, ExtraOutbound, type ExtraCandidateLink } from './extra-outbound.ts';

const STALE = 90_000;
const info = (id: string, lastBlockAt?: number): PeerInfo => ({ id, state: 'ready', height: 0, latencyMs: 50, inbound: false, userAgent: '', ...(lastBlockAt !== undefined ? { lastBlockAt } : {}) });
/** A random() that always returns `v`: the exponential draw is then -ln(1 - v) x the mean. */
const fixed = (v: number) => () => v;

describe('extra outbound link', () => {
  it('behavior: one is wanted when its Poisson timer is due, one at a time, and the timer is drawn again when it begins', () => {
    const extra = new ExtraOutbound(fixed(1 - Math.exp(-1)), 0, STALE);
    // No peer linked: the tip is not stale, only the timer counts. With this draw, the mean interval.
    expect(extra.wanted(EXTRA_INTERVAL_MS - 1, 0)).toBe(false);
    expect(extra.wanted(EXTRA_INTERVAL_MS, 0)).toBe(true);
    extra.began('x', EXTRA_INTERVAL_MS);
    expect(extra.isExtra('x')).toBe(true);
    expect(extra.wanted(3 * EXTRA_INTERVAL_MS, 0)).toBe(false);
    // Judged and gone (it closed): the next one is due an interval after the last began.
    expect(extra.settle(EXTRA_INTERVAL_MS + 1, new Map(), [])).toBeNull();
    expect(extra.wanted(2 * EXTRA_INTERVAL_MS - 1, 0)).toBe(false);
    expect(extra.wanted(2 * EXTRA_INTERVAL_MS, 0)).toBe(true);
  });

  it('behavior: the tip is stale when no peer brought a new block for the stale-tip time while peers are linked; then an extra is wanted at once, once per stale-tip time', () => {
    const extra = new ExtraOutbound(fixed(0.99), 0, STALE);
    expect(extra.staleTip(STALE - 1, 3)).toBe(false);
    expect(extra.staleTip(STALE, 0)).toBe(false);
    expect(extra.staleTip(STALE, 3)).toBe(true);
    expect(extra.wanted(STALE, 3)).toBe(true);
    extra.began('x', STALE);
    extra.settle(STALE + 1, new Map(), []);
    expect(extra.wanted(2 * STALE - 1, 3)).toBe(false);
    expect(extra.wanted(2 * STALE, 3)).toBe(true);
    // A peer's new block ends it.
    extra.noteBlocks([info('a', 2 * STALE)]);
    expect(extra.staleTip(2 * STALE + 1, 3)).toBe(false);
  });

  it('behavior: once held, an extra that brought no new block goes; one that did stays, in place of the own choice that least recently brought one (never first, then the youngest)', () => {
    const links = (extraOpenedAt: number): Map<string, ExtraCandidateLink> =>
      new Map<string, ExtraCandidateLink>([
        ['old-helper', { initiator: true, openedAt: 0 }],
        ['old-idle', { initiator: true, openedAt: 0 }],
        ['young-idle', { initiator: true, openedAt: 500 }],
        ['inbound-idle', { initiator: false, openedAt: 900 }],
        ['x', { initiator: true, openedAt: extraOpenedAt }],
      ]);
    const extra = new ExtraOutbound(fixed(0.5), 0, STALE);
    extra.began('x', 1000);
    // Still opening, then open but not held long enough: nothing yet.
    expect(extra.settle(1000 + EXTRA_HOLD_MS, new Map([['x', { initiator: true }]]), [])).toBeNull();
    expect(extra.settle(1000 + EXTRA_HOLD_MS - 1, links(1000), [])).toBeNull();
    // It brought nothing (a block before it opened does not count): it goes.
    expect(extra.settle(1000 + EXTRA_HOLD_MS, links(1000), [info('x', 999), info('old-helper', 200)])).toBe('x');
    expect(extra.isExtra('x')).toBe(false);
    // It brought a block: the own choice never to bring one goes, the youngest of those; never an inbound link.
    extra.began('x', 1000);
    expect(extra.settle(1000 + EXTRA_HOLD_MS, links(1000), [info('x', 1500), info('old-helper', 200)])).toBe('young-idle');
    // An extra that closed is forgotten.
    extra.began('y', 2000);
    expect(extra.settle(2000 + EXTRA_HOLD_MS, links(1000), [])).toBeNull();
    expect(extra.isExtra('y')).toBe(false);
  });
});
