import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Chain } from '../chain/chain.ts';
import { MemoryChainStore } from '../chain/memory-chain-store.ts';
import { ChainBuilder, ManualClock, type BuiltBlock } from '../testing/chain-builder.ts';
import { asertTarget, medianTime, nextBits, requiredBits, type DifficultyPoint } from './difficulty.ts';
import { mainParams, regtestParams } from './networks.ts';
import { bitsFromTarget, targetFromBits, validTarget, workFromBits } from './pow.ts';
import { retargetingRegtestParams } from '../testing/test-chain.ts';

/** Regtest's limits (a target of about two hashes) with the retarget on. */
const asertParams = retargetingRegtestParams;
const powLimit = validTarget(asertParams.powLimitBits)!;
/** An anchor harder than the limit, so the target can move both ways. */
const anchorBits = 0x1f00ffff;
const anchorTarget = targetFromBits(anchorBits);
const anchor: DifficultyPoint = { height: 1, time: 1_000_000, bits: anchorBits };
const spacing = asertParams.targetSpacing;
const halfLife = asertParams.asertHalfLife;

/** A parent `n` blocks after the anchor, `drift` seconds behind (positive) or ahead (negative) of schedule. */
function parentAt(n: number, drift: number, bits = anchorBits): DifficultyPoint {
  return { height: anchor.height + n, time: anchor.time + n * spacing + drift, bits };
}

describe('requiredBits', () => {
  it('behavior: block 1 (parent genesis) carries the genesis bits', () => {
    const g = asertParams.genesis.header;
    expect(requiredBits({ height: 0, time: g.time, bits: g.bits }, undefined, asertParams)).toBe(g.bits);
    // Whatever the time of the request: genesis has no anchor.
    expect(requiredBits({ height: 0, time: g.time + 1_000_000, bits: g.bits }, undefined, mainParams)).toBe(mainParams.genesis.header.bits);
  });

  it('behavior: block 2 (parent = anchor = block 1) keeps the anchor bits', () => {
    expect(requiredBits(anchor, anchor, asertParams)).toBe(anchorBits);
  });

  it('behavior: past block 1 it is the bounded ASERT of nextBits', () => {
    const parent = parentAt(10, -100);
    expect(requiredBits(parent, anchor, asertParams)).toBe(nextBits(anchor, parent, asertParams));
  });
});

describe('asertTarget / nextBits', () => {
  it('behavior: on schedule the anchor target is kept exactly', () => {
    for (const n of [1, 2, 10, 1000, 100_000]) {
      expect(asertTarget(anchor, parentAt(n, 0), asertParams), `n=${n}`).toBe(anchorTarget);
      expect(nextBits(anchor, parentAt(n, 0), asertParams)).toBe(anchorBits);
    }
  });

  it('behavior: one half-life behind schedule doubles the target; one ahead halves it', () => {
    expect(asertTarget(anchor, parentAt(50, halfLife), asertParams)).toBe(anchorTarget * 2n);
    expect(asertTarget(anchor, parentAt(50, -halfLife), asertParams)).toBe(anchorTarget / 2n);
    expect(asertTarget(anchor, parentAt(500, 3 * halfLife), asertParams)).toBe(anchorTarget * 8n);
  });

  it('behavior: blocks faster than schedule raise difficulty (smaller target), slower lower it', () => {
    const faster = targetFromBits(nextBits(anchor, parentAt(10, -10), asertParams));
    const slower = targetFromBits(nextBits(anchor, parentAt(10, 10), asertParams));
    expect(faster).toBeLessThan(anchorTarget);
    expect(slower).toBeGreaterThan(anchorTarget);
    // Half a half-life: 2^(±1/2) within the cubic approximation's error.
    const half = Number(asertTarget(anchor, parentAt(10, halfLife / 2), asertParams)) / Number(anchorTarget);
    expect(Math.abs(half - Math.SQRT2)).toBeLessThan(Math.SQRT2 * 2e-4);
  });

  it('behavior: ASERT is monotonic in the parent time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: -5_000, max: 5_000 }), fc.integer({ min: 1, max: 100 }), (n, drift, d) => {
        const a = asertTarget(anchor, parentAt(n, drift), asertParams);
        const b = asertTarget(anchor, parentAt(n, drift + d), asertParams);
        expect(b).toBeGreaterThanOrEqual(a);
      }),
      { numRuns: 200 },
    );
  });

  it('behavior: the target moves at most maxTargetStep per block, whatever the schedule says', () => {
    const step = BigInt(asertParams.maxTargetStep);
    // Ten half-lives behind: ASERT wants 1024x easier; the step allows 4x.
    expect(asertTarget(anchor, parentAt(10, 10 * halfLife), asertParams)).toBe(anchorTarget * 1024n);
    expect(nextBits(anchor, parentAt(10, 10 * halfLife), asertParams)).toBe(bitsFromTarget(anchorTarget * step));
    // Ten half-lives ahead: 1024x harder wanted, 4x allowed.
    expect(nextBits(anchor, parentAt(10, -10 * halfLife), asertParams)).toBe(bitsFromTarget(anchorTarget / step));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: -100_000, max: 100_000 }),
        fc.integer({ min: 0x1c00ffff, max: 0x1f00ffff }).filter((bits) => validTarget(bits) !== undefined),
        (n, drift, parentBits) => {
          const parentTarget = validTarget(parentBits)!;
          const next = targetFromBits(nextBits(anchor, parentAt(n, drift, parentBits), asertParams));
          // Compact encoding truncates: allow the rounding of the bound itself.
          expect(next).toBeLessThanOrEqual(parentTarget * step);
          expect(next).toBeGreaterThanOrEqual(targetFromBits(bitsFromTarget(parentTarget / step)));
          expect(next).toBeLessThanOrEqual(powLimit);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('behavior: never easier than the proof-of-work limit', () => {
    const atLimit: DifficultyPoint = { height: 1, time: 1_000_000, bits: asertParams.powLimitBits };
    const slow = { height: 100, time: atLimit.time + 1_000_000, bits: asertParams.powLimitBits };
    expect(asertTarget(atLimit, slow, asertParams)).toBeGreaterThan(powLimit);
    expect(nextBits(atLimit, slow, asertParams)).toBe(asertParams.powLimitBits);
    const mainLimit = validTarget(mainParams.powLimitBits)!;
    const mainAnchor: DifficultyPoint = { height: 1, time: 0, bits: mainParams.powLimitBits };
    expect(targetFromBits(nextBits(mainAnchor, { height: 2, time: 100_000, bits: mainParams.powLimitBits }, mainParams))).toBe(mainLimit);
  });

  it('behavior: never harder than a target of 1', () => {
    const tiny: DifficultyPoint = { height: 1, time: 1_000_000, bits: 0x03000001 };
    expect(targetFromBits(nextBits(tiny, { height: 100_000, time: tiny.time, bits: 0x03000001 }, asertParams))).toBe(1n);
  });

  it('error: an anchor with unusable bits throws', () => {
    expect(() => asertTarget({ ...anchor, bits: 0 }, parentAt(1, 0), asertParams)).toThrow(RangeError);
  });
});

describe('medianTime', () => {
  it('behavior: the median of 11 values, in any order', () => {
    expect(medianTime([5, 1, 9, 3, 7, 11, 2, 10, 4, 8, 6])).toBe(6);
    expect(medianTime([100, 100, 100, 100, 100, 100, 1, 1, 1, 1, 1])).toBe(100);
    expect(medianTime([1, 1, 1, 1, 1, 1, 100, 100, 100, 100, 100])).toBe(1);
  });

  it('behavior: fewer values (near genesis): the upper middle one', () => {
    expect(medianTime([7])).toBe(7);
    expect(medianTime([3, 1])).toBe(3);
    expect(medianTime([4, 1, 3, 2])).toBe(3);
  });

  it('behavior: does not reorder its input', () => {
    const times = [3, 1, 2];
    medianTime(times);
    expect(times).toEqual([3, 1, 2]);
  });

  it('error: no values throws', () => {
    expect(() => medianTime([])).toThrow(RangeError);
  });
});

describe('difficulty through the chain', () => {
  it('behavior: the chain demands the bits ASERT gives: fast blocks get harder bits, and the chain accepts exactly those', async () => {
    const b = new ChainBuilder(asertParams);
    const store = new MemoryChainStore();
    const clock = new ManualClock(asertParams.genesis.header.time + 100_000);
    const chain = await Chain.open({ params: asertParams, store, clock });
    let tip: BuiltBlock = b.genesis;
    const blocks: BuiltBlock[] = [];
    // Blocks as close together as the median-time rule allows: far ahead of the 2 s schedule.
    for (let i = 0; i < 120; i++) {
      tip = b.next(tip, { time: b.medianTimePast(tip) + 1 });
      blocks.push(tip);
    }
    const outcomes = await chain.processBlocks(blocks.map((x) => x.block));
    expect(outcomes.every((o) => o.status === 'connected')).toBe(true);
    expect(blocks[0]!.block.header.bits).toBe(asertParams.genesis.header.bits);
    const last = targetFromBits(tip.block.header.bits);
    expect(last).toBeLessThan(powLimit);
    // More work than the same number of blocks at the limit (genesis + 120).
    expect(chain.entry(tip.hash)!.chainWork).toBeGreaterThan(workFromBits(asertParams.powLimitBits) * 121n);
    expect(chain.nextBlockContext().expectedBits).toBe(b.bitsAfter(tip));
    // A block claiming the limit's bits (what an on-schedule chain would carry) is refused.
    const wrong = b.next(tip, { bits: asertParams.powLimitBits });
    expect(await chain.processBlock(wrong.block)).toMatchObject({ status: 'rejected', rejection: { code: 'bad-diffbits' } });
  });
});

describe('regtest\'s fixed difficulty', () => {
  it('behavior: every block needs the genesis bits, however far ahead of or behind schedule', () => {
    const g = regtestParams.genesis.header.bits;
    for (const drift of [-10 * halfLife, 0, 10 * halfLife]) expect(requiredBits(parentAt(500, drift, g), anchor, regtestParams)).toBe(g);
  });

  it('behavior: the chain accepts 200 blocks as close together as the median-time rule allows, all at the genesis bits, and refuses other bits', async () => {
    const b = new ChainBuilder(regtestParams);
    const chain = await Chain.open({ params: regtestParams, store: new MemoryChainStore(), clock: new ManualClock(regtestParams.genesis.header.time + 100_000) });
    let tip: BuiltBlock = b.genesis;
    const blocks: BuiltBlock[] = [];
    for (let i = 0; i < 200; i++) {
      tip = b.next(tip, { time: b.medianTimePast(tip) + 1 });
      blocks.push(tip);
    }
    const outcomes = await chain.processBlocks(blocks.map((x) => x.block));
    expect(outcomes.every((o) => o.status === 'connected')).toBe(true);
    expect(new Set(blocks.map((x) => x.block.header.bits))).toEqual(new Set([regtestParams.genesis.header.bits]));
    const harder = b.next(tip, { bits: 0x1f00ffff });
    expect(await chain.processBlock(harder.block)).toMatchObject({ status: 'rejected', rejection: { code: 'bad-diffbits' } });
  });
});
