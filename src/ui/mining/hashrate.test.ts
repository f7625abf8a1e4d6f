import { describe, expect, it } from 'vitest';
import { HASHRATE_RANGES, MAX_CHART_POINTS, downsample, durationParts, expectedBlockSeconds, formatHashCount, formatHashrate, hashrateSeries } from './hashrate.ts';

describe('downsample', () => {
  it('behavior: keeps short series as they are', () => {
    expect(downsample([1, 2, 3], 120)).toEqual([1, 2, 3]);
    expect(downsample([], 120)).toEqual([]);
  });

  it('behavior: averages runs aligned on the newest value', () => {
    expect(downsample([1, 2, 3, 4, 5], 2)).toEqual([1.5, 4]);
    expect(downsample([2, 4, 6, 8], 2)).toEqual([3, 7]);
  });

  it('behavior: an hour of samples becomes at most 120 points with the same mean', () => {
    const hour = Array.from({ length: 3600 }, (_, i) => i % 7);
    const points = downsample(hour);
    expect(points).toHaveLength(MAX_CHART_POINTS);
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(avg(points)).toBeCloseTo(avg(hour), 10);
  });

  it('behavior: never more than maxPoints, whatever the length', () => {
    for (const n of [1, 119, 120, 121, 239, 240, 241, 599, 601, 3599]) {
      const out = downsample(Array.from({ length: n }, () => 1), 120);
      expect(out.length).toBeLessThanOrEqual(120);
      expect(out.every((v) => v === 1)).toBe(true);
    }
  });

  it('error: no points when asked for none', () => {
    expect(downsample([1, 2], 0)).toEqual([]);
  });
});

describe('hashrateSeries', () => {
  it('behavior: the last minute is one point per second, the newest at x = 0', () => {
    const history = Array.from({ length: 100 }, (_, i) => i);
    const points = hashrateSeries(history, 60);
    expect(points).toHaveLength(60);
    expect(points[0]).toEqual({ x: -59, y: 40 });
    expect(points.at(-1)).toEqual({ x: 0, y: 99 });
  });

  it('behavior: an hour is averaged into 120 points of 30 s, x ascending', () => {
    const history = Array.from({ length: 3600 }, () => 1000);
    const points = hashrateSeries(history, 3600);
    expect(points).toHaveLength(120);
    expect(points.at(-1)).toEqual({ x: -14.5, y: 1000 });
    expect(points[0]!.x).toBe(-3584.5);
    for (let i = 1; i < points.length; i++) expect(points[i]!.x).toBeGreaterThan(points[i - 1]!.x);
  });

  it('behavior: fewer samples than the range give only what there is', () => {
    expect(hashrateSeries([5, 7], 600)).toEqual([
      { x: -1, y: 5 },
      { x: 0, y: 7 },
    ]);
    expect(hashrateSeries([], 60)).toEqual([]);
  });

  it('behavior: every range fits the chart', () => {
    const history = Array.from({ length: 3600 }, (_, i) => i);
    for (const range of HASHRATE_RANGES) expect(hashrateSeries(history, range.seconds).length).toBeLessThanOrEqual(MAX_CHART_POINTS);
  });
});

describe('formatting', () => {
  it('behavior: hashrates with SI prefixes', () => {
    expect(formatHashrate(0)).toBe('0 H/s');
    expect(formatHashrate(950.4)).toBe('950 H/s');
    expect(formatHashrate(12_345)).toBe('12.3 kH/s');
    expect(formatHashrate(1_250_000)).toBe('1.25 MH/s');
    expect(formatHashrate(Number.NaN)).toBe('0 H/s');
  });

  it('behavior: hash counts with SI prefixes', () => {
    expect(formatHashCount(512n)).toBe('512');
    expect(formatHashCount(1_234n)).toBe('1.2 k');
    expect(formatHashCount(3_400_000_000n)).toBe('3.4 G');
    expect(formatHashCount(950)).toBe('950');
    expect(formatHashCount(65_536)).toBe('65.5 k');
    expect(formatHashCount(123_000_000)).toBe('123 M');
  });

  it('behavior: expected time to a block is work over rate', () => {
    expect(expectedBlockSeconds(2_000n, 1_000)).toBe(2);
    expect(expectedBlockSeconds(2_000n, 0)).toBeNull();
    expect(expectedBlockSeconds(2_000n, Number.NaN)).toBeNull();
  });

  it('behavior: durations in the largest fitting unit', () => {
    expect(durationParts(42)).toEqual({ value: 42, unit: 'second' });
    expect(durationParts(90)).toEqual({ value: 1.5, unit: 'minute' });
    expect(durationParts(7200)).toEqual({ value: 2, unit: 'hour' });
    expect(durationParts(3 * 86400)).toEqual({ value: 3, unit: 'day' });
    expect(durationParts(730 * 86400)).toEqual({ value: 2, unit: 'year' });
    expect(durationParts(-5)).toEqual({ value: 0, unit: 'second' });
  });
});
