/**
 * The two computations the twenty-tabs benchmark's numbers rest on (bench/tab-metrics.ts): hops
 * from the miner over the links the tabs list, and the p99 over tab-blocks.
 */
import { describe, expect, it } from 'vitest';
import { hopsFrom, percentile } from '../../bench/tab-metrics.ts';

describe('hopsFrom', () => {
  it('counts a link listed by one side only, and leaves out tabs it cannot reach', () => {
    // a–b listed by a, b–c listed by c only (c saw it ready first), c–d by both; e is alone.
    const links = new Map([
      ['a', ['b']],
      ['b', []],
      ['c', ['b', 'd']],
      ['d', ['c']],
      ['e', []],
    ]);
    const hops = hopsFrom('a', links);
    expect(Object.fromEntries(hops)).toEqual({ a: 0, b: 1, c: 2, d: 3 });
    expect(hops.has('e')).toBe(false);
  });

  it('takes the shortest way when there are several', () => {
    const links = new Map([
      ['a', ['b', 'c']],
      ['b', ['d']],
      ['c', ['e']],
      ['e', ['d']],
    ]);
    expect(hopsFrom('a', links).get('d')).toBe(2);
  });
});

describe('percentile', () => {
  it('is the nearest rank', () => {
    const values = Array.from({ length: 190 }, (_, i) => 190 - i); // 190 … 1, unsorted on purpose
    expect(percentile(values, 99)).toBe(189); // rank ceil(0.99 × 190) = 189
    expect(percentile(values, 50)).toBe(95);
    expect(percentile(values, 100)).toBe(190);
    expect(percentile([7], 99)).toBe(7);
  });

  it('is NaN for no values', () => {
    expect(percentile([], 99)).toBeNaN();
  });
});
