import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteBudget, DEFAULT_PEER_RATES, TokenBucket } from './rate-limit.ts';
import { WIRE_LIMITS } from './messages.ts';

describe('TokenBucket', () => {
  it('behavior: charge() always charges, so a sender that keeps going digs a debt the refill pays back', () => {
    const bucket = new TokenBucket(10, 5, 0);
    for (let i = 1; i <= 5; i++) expect(bucket.charge(0)).toBe(5 - i);
    expect(bucket.charge(0)).toBe(-1);
    expect(bucket.charge(0, 3)).toBe(-4);
    // 0.5 s at 10 a second pays 5 back: one more use is allowed again.
    expect(bucket.charge(500)).toBe(0);
    // The refill never goes above the capacity, however long the pause.
    expect(bucket.charge(1_000_000)).toBe(4);
    expect(() => bucket.charge(0, -1)).toThrow(RangeError);
  });

  it('behavior: starts full, allows a burst of capacity, then refuses', () => {
    const bucket = new TokenBucket(10, 5, 1_000);
    for (let i = 0; i < 5; i++) expect(bucket.take(1_000)).toBe(true);
    expect(bucket.take(1_000)).toBe(false);
  });

  it('behavior: refills at the rate, continuously', () => {
    const bucket = new TokenBucket(10, 5, 0);
    for (let i = 0; i < 5; i++) bucket.take(0);
    expect(bucket.take(50)).toBe(false);
    expect(bucket.take(100)).toBe(true);
    expect(bucket.take(100)).toBe(false);
    expect(bucket.available(350)).toBeCloseTo(2.5);
  });

  it('behavior: never holds more than capacity, however long the pause', () => {
    const bucket = new TokenBucket(10, 5, 0);
    bucket.take(0, 5);
    expect(bucket.available(1e9)).toBe(5);
    expect(bucket.take(1e9, 5)).toBe(true);
    expect(bucket.take(1e9)).toBe(false);
  });

  it('behavior: a refused take takes nothing, so a peer that slows down recovers', () => {
    const bucket = new TokenBucket(1, 3, 0);
    bucket.take(0, 3);
    for (let i = 0; i < 100; i++) expect(bucket.take(0)).toBe(false);
    expect(bucket.take(1_000)).toBe(true);
  });

  it('behavior: cost counts several tokens; a cost above capacity never passes', () => {
    const bucket = new TokenBucket(100, 10, 0);
    expect(bucket.take(0, 7)).toBe(true);
    expect(bucket.take(0, 4)).toBe(false);
    expect(bucket.take(0, 3)).toBe(true);
    expect(bucket.take(1e9, 11)).toBe(false);
    expect(bucket.take(1e9, 0)).toBe(true);
  });

  it('behavior: a clock that steps back refills nothing and does not freeze the bucket', () => {
    const bucket = new TokenBucket(10, 5, 10_000);
    bucket.take(10_000, 5);
    expect(bucket.take(0)).toBe(false);
    expect(bucket.available(100)).toBeCloseTo(1);
  });

  it('behavior: a zero refill rate is a fixed allowance', () => {
    const bucket = new TokenBucket(0, 2, 0);
    expect(bucket.take(0)).toBe(true);
    expect(bucket.take(1e9)).toBe(true);
    expect(bucket.take(2e9)).toBe(false);
  });

  it('behavior: over any interval, at most capacity + rate × time tokens are taken', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 100 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 5 })), { maxLength: 200 }),
        (rate, capacity, steps) => {
          const bucket = new TokenBucket(rate, capacity, 0);
          let now = 0;
          let taken = 0;
          for (const [dt, cost] of steps) {
            now += dt;
            if (bucket.take(now, cost)) taken += cost;
          }
          expect(taken).toBeLessThanOrEqual(capacity + (rate * now) / 1000 + 1e-6);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('error: a bad rate, capacity or cost is a RangeError', () => {
    expect(() => new TokenBucket(-1, 5)).toThrow(RangeError);
    expect(() => new TokenBucket(Number.NaN, 5)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0)).toThrow(RangeError);
    expect(() => new TokenBucket(1, Infinity)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 1).take(0, -1)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 1).take(0, Number.NaN)).toThrow(RangeError);
  });
});

describe('ByteBudget', () => {
  it('behavior: allows a burst of bytes, then the sustained rate', () => {
    const budget = new ByteBudget(1000, 4000, 0);
    expect(budget.spend(0, 3000)).toBe(true);
    expect(budget.spend(0, 1500)).toBe(false);
    expect(budget.available(0)).toBe(1000);
    expect(budget.spend(500, 1500)).toBe(true);
    expect(budget.available(500)).toBe(0);
  });

  it('behavior: the suggested rates let a maximum-size message through a fresh peer', () => {
    const messages = new TokenBucket(DEFAULT_PEER_RATES.messagesPerSecond, DEFAULT_PEER_RATES.messageBurst, 0);
    const chunks = Math.ceil(WIRE_LIMITS.maxMessageSize / (WIRE_LIMITS.maxChunkSize - 12)) + 1;
    for (let i = 0; i < chunks; i++) expect(messages.take(0)).toBe(true);
    const bytes = new ByteBudget(DEFAULT_PEER_RATES.unsolicitedBytesPerSecond, DEFAULT_PEER_RATES.unsolicitedByteBurst, 0);
    expect(bytes.spend(0, WIRE_LIMITS.maxMessageSize)).toBe(true);
  });

  it('behavior: a flood of maximum-size messages runs out of budget', () => {
    const bytes = new ByteBudget(DEFAULT_PEER_RATES.unsolicitedBytesPerSecond, DEFAULT_PEER_RATES.unsolicitedByteBurst, 0);
    let accepted = 0;
    for (let t = 0; t < 1000 && bytes.spend(t, WIRE_LIMITS.maxMessageSize); t += 10) accepted++;
    expect(accepted).toBeLessThan(10);
  });
});
