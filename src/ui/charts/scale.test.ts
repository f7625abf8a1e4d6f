import { describe, expect, it } from 'vitest';
import { extent, linePath, scale } from './scale.ts';

describe('chart scales', () => {
  it('finds the range of the data, or a unit range for flat and empty data', () => {
    expect(extent([3, 1, 2])).toEqual({ min: 1, max: 3 });
    expect(extent([3, 1, 2], 0)).toEqual({ min: 0, max: 3 });
    expect(extent([5, 5])).toEqual({ min: 5, max: 6 });
    expect(extent([])).toEqual({ min: 0, max: 1 });
    expect(extent([Number.NaN, 2, Infinity])).toEqual({ min: 2, max: 3 });
  });

  it('maps values onto pixels, inverted for y', () => {
    const d = { min: 0, max: 10 };
    expect(scale(0, d, 100, 0)).toBe(100);
    expect(scale(10, d, 100, 0)).toBe(0);
    expect(scale(5, d, 0, 200)).toBe(100);
  });

  it('draws a path through the points', () => {
    expect(linePath([])).toBe('');
    expect(linePath([{ x: 0, y: 1.26 }, { x: 2, y: 3 }])).toBe('M0,1.3L2,3');
  });
});
