/**
 * @module The mining view's numbers, as pure functions: the hashrate chart's points (an hour of
 * one-a-second samples averaged down to what a chart can show), rates and hash counts with SI
 * prefixes, and the expected time to find a block. No DOM, no clock: easy to test.
 */
import type { Point } from '../charts/scale.ts';

/** The chart's ranges: the last minute, ten minutes or hour of samples (one a second). */
export const HASHRATE_RANGES = [
  { id: '1m', seconds: 60 },
  { id: '10m', seconds: 600 },
  { id: '1h', seconds: 3600 },
] as const;
export type HashrateRange = (typeof HASHRATE_RANGES)[number]['id'];

/** A chart stays readable (and cheap to draw) with at most this many points. */
export const MAX_CHART_POINTS = 120;

/**
 * Averages runs of consecutive values into at most `maxPoints` buckets of equal size, aligned on
 * the newest value (the oldest bucket may be shorter): the latest point is always a full bucket.
 *
 * @example downsample([1, 2, 3, 4, 5], 2) // [1.5, 4]: buckets [1, 2] and [3, 4, 5]
 */
export function downsample(values: readonly number[], maxPoints: number = MAX_CHART_POINTS): number[] {
  return buckets(values.length, maxPoints).map(([from, to]) => mean(values, from, to));
}

/**
 * The chart's points for the last `seconds` of `history` (one sample per second, oldest first):
 * `x` is the age in seconds relative to the newest sample (≤ 0, the newest at 0), `y` the mean
 * hashrate of each bucket, with at most `maxPoints` points.
 */
export function hashrateSeries(history: readonly number[], seconds: number, maxPoints: number = MAX_CHART_POINTS): Point[] {
  const window = history.slice(Math.max(0, history.length - seconds));
  const n = window.length;
  return buckets(n, maxPoints).map(([from, to]) => ({
    // The mean of the ages -(n-1-i) for i in [from, to).
    x: -(n - 1) + (from + to - 1) / 2,
    y: mean(window, from, to),
  }));
}

/** Index ranges [from, to) splitting `n` items into at most `maxPoints` runs, aligned on the end. */
function buckets(n: number, maxPoints: number): [number, number][] {
  if (n === 0 || maxPoints < 1) return [];
  const size = Math.ceil(n / Math.floor(maxPoints));
  const ranges: [number, number][] = [];
  for (let to = n; to > 0; to -= size) ranges.push([Math.max(0, to - size), to]);
  return ranges.reverse();
}

function mean(values: readonly number[], from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += values[i]!;
  return sum / (to - from);
}

/** Hashes per second with an SI prefix: `950 H/s`, `12.3 kH/s`, `1.25 MH/s`. */
export function formatHashrate(hashesPerSecond: number): string {
  const h = Number.isFinite(hashesPerSecond) && hashesPerSecond > 0 ? hashesPerSecond : 0;
  if (h >= 1e9) return `${(h / 1e9).toFixed(2)} GH/s`;
  if (h >= 1e6) return `${(h / 1e6).toFixed(2)} MH/s`;
  if (h >= 1e3) return `${(h / 1e3).toFixed(1)} kH/s`;
  return `${Math.round(h)} H/s`;
}

/**
 * A number of hashes with an SI prefix (`512`, `1.2 k`, `123 M`): "≈ … hashes per block", the
 * explorer's difficulty and its chart's axis.
 */
export function formatHashCount(hashes: number | bigint): string {
  const n = Number(hashes);
  const units: [number, string][] = [
    [1e15, 'P'],
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [size, unit] of units) if (n >= size) return `${(n / size).toFixed(n / size >= 100 ? 0 : 1)} ${unit}`;
  return `${Math.round(n)}`;
}

/**
 * Seconds this miner needs on average to find a block: the expected hashes per block (the work of
 * the target) over the hashrate. Null when there is no rate to estimate from.
 */
export function expectedBlockSeconds(hashesPerBlock: bigint, hashesPerSecond: number): number | null {
  if (!Number.isFinite(hashesPerSecond) || hashesPerSecond <= 0) return null;
  return Number(hashesPerBlock) / hashesPerSecond;
}

/** A duration unit that `Intl.NumberFormat` can spell in every language. */
export type DurationUnit = 'second' | 'minute' | 'hour' | 'day' | 'year';

/**
 * A duration as one value in the largest fitting unit (`90` s → 1.5 minute), for display with
 * `Intl.NumberFormat(…, { style: 'unit' })`.
 */
export function durationParts(seconds: number): { value: number; unit: DurationUnit } {
  const s = Math.max(0, seconds);
  if (s < 60) return { value: s, unit: 'second' };
  if (s < 3600) return { value: s / 60, unit: 'minute' };
  if (s < 86400) return { value: s / 3600, unit: 'hour' };
  if (s < 365 * 86400) return { value: s / 86400, unit: 'day' };
  return { value: s / (365 * 86400), unit: 'year' };
}
