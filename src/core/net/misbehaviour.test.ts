import { describe, expect, it } from 'vitest';
import { PeerConduct } from './misbehaviour.ts';

describe('PeerConduct', () => {
  it('behavior: stalls disconnect only when repeated within the window', () => {
    const c = new PeerConduct({ maxStalls: 3, stallWindowMs: 1000, throttleBurst: 10, throttleRefillPerSecond: 1 }, 0);
    expect(c.stall(0)).toBe('keep');
    expect(c.stall(100)).toBe('keep');
    // The first two are older than the window by now: one stall counts.
    expect(c.stall(1500)).toBe('keep');
    expect(c.stallCount(1500)).toBe(1);
    expect(c.stall(1600)).toBe('keep');
    expect(c.stall(1700)).toBe('disconnect');
  });

  it('behavior: throttled messages are tolerated up to a burst, then the verdict is disconnect', () => {
    const c = new PeerConduct({ throttleBurst: 5, throttleRefillPerSecond: 1 }, 0);
    for (let i = 0; i < 5; i++) expect(c.throttle(0)).toBe('keep');
    expect(c.throttle(0)).toBe('disconnect');
    // A peer that slowed down earns tolerance back.
    expect(c.throttle(2000)).toBe('keep');
    expect(c.throttled).toBe(7);
  });
});
