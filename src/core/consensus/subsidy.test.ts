import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mainParams, regtestParams } from './networks.ts';
import { COIN, type NetworkParams } from './params.ts';
import { blockSubsidy } from './subsidy.ts';

/** The subsidy summed over every height, era by era: each era pays `halvingInterval` blocks. */
function totalSupply(params: Pick<NetworkParams, 'initialSubsidy' | 'halvingInterval'>): bigint {
  let total = 0n;
  for (let era = 0; era < 64; era++) {
    const perBlock = blockSubsidy(era * params.halvingInterval, params);
    total += perBlock * BigInt(params.halvingInterval);
  }
  return total;
}

describe('blockSubsidy', () => {
  it.each([
    ['main', mainParams],
    ['test', regtestParams],
  ])('behavior: on %s, pays the initial subsidy in era 0 and halves at every multiple of the interval', (_name, params) => {
    const h = params.halvingInterval;
    expect(params.initialSubsidy).toBe(50n * COIN);
    expect(blockSubsidy(0, params)).toBe(50n * COIN);
    expect(blockSubsidy(1, params)).toBe(50n * COIN);
    expect(blockSubsidy(h - 1, params)).toBe(50n * COIN);
    expect(blockSubsidy(h, params)).toBe(25n * COIN);
    expect(blockSubsidy(2 * h - 1, params)).toBe(25n * COIN);
    expect(blockSubsidy(2 * h, params)).toBe(1_250_000_000n);
    expect(blockSubsidy(3 * h, params)).toBe(625_000_000n);
  });

  it('behavior: halving intervals are 2,100,000 on main and 150 on test', () => {
    expect(mainParams.halvingInterval).toBe(2_100_000);
    expect(regtestParams.halvingInterval).toBe(150);
  });

  it('behavior: rounds down (a right shift) and reaches zero after 33 halvings of 50 coins', () => {
    const h = regtestParams.halvingInterval;
    expect(blockSubsidy(32 * h, regtestParams)).toBe((50n * COIN) >> 32n);
    expect(blockSubsidy(32 * h, regtestParams)).toBe(1n);
    expect(blockSubsidy(33 * h, regtestParams)).toBe(0n);
  });

  it('behavior: is 0 from the 64th halving on, even where a shift would leave something', () => {
    const params = { initialSubsidy: 1n << 70n, halvingInterval: 10 };
    expect(blockSubsidy(63 * 10, params)).toBe(1n << 7n);
    expect(blockSubsidy(63 * 10 + 9, params)).toBe(1n << 7n);
    expect(blockSubsidy(64 * 10, params)).toBe(0n);
    expect(blockSubsidy(1000 * 10, params)).toBe(0n);
    expect(blockSubsidy(64 * mainParams.halvingInterval, mainParams)).toBe(0n);
    expect(blockSubsidy(Number.MAX_SAFE_INTEGER, mainParams)).toBe(0n);
  });

  it('behavior: never increases with height and equals initial >> floor(height / interval)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70 * regtestParams.halvingInterval }), fc.integer({ min: 0, max: 1000 }), (height, step) => {
        const s = blockSubsidy(height, regtestParams);
        expect(blockSubsidy(height + step, regtestParams) <= s).toBe(true);
        const halvings = Math.floor(height / regtestParams.halvingInterval);
        expect(s).toBe(halvings >= 64 ? 0n : regtestParams.initialSubsidy >> BigInt(halvings));
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['main', mainParams],
    ['test', regtestParams],
  ])('behavior: the subsidy summed over all heights on %s is at most maxMoney', (_name, params) => {
    const total = totalSupply(params);
    expect(total <= params.maxMoney).toBe(true);
    expect(total > 0n).toBe(true);
  });

  it('behavior: main issues just under 210 million coins, like Bitcoin\u2019s 21 million scaled by 10', () => {
    const total = totalSupply(mainParams);
    expect(mainParams.maxMoney).toBe(210_000_000n * COIN);
    // Bitcoin's sum is 2,099,999,997,690,000 base units; with a 10x interval it is 10x that.
    expect(total).toBe(20_999_999_976_900_000n);
  });

  it('behavior: the era-by-era sum equals a block-by-block sum on test', () => {
    let total = 0n;
    for (let height = 0; height < 64 * regtestParams.halvingInterval; height++) total += blockSubsidy(height, regtestParams);
    expect(total).toBe(totalSupply(regtestParams));
    // 150 blocks per era × 9,999,999,989 (the sum of 5,000,000,000 >> k).
    expect(total).toBe(1_499_999_998_350n);
  });
});
