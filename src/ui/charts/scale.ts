/**
 * @module The arithmetic of a chart: data ranges and their mapping to SVG coordinates, kept out of
 * the component so it can be tested without a DOM.
 */
export interface Point {
  x: number;
  y: number;
}

export interface Extent {
  min: number;
  max: number;
}

/** The smallest and largest of `values`; a flat or empty series gets a range of 1 so nothing divides by 0. */
export function extent(values: readonly number[], floor?: number): Extent {
  let min = floor ?? Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (floor === undefined && v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(min)) min = 0;
  if (!Number.isFinite(max) || max < min) max = min;
  if (max === min) max = min + 1;
  return { min, max };
}

/** Maps `value` in `domain` linearly onto [start, end] (end may be below start: SVG y grows down). */
export function scale(value: number, domain: Extent, start: number, end: number): number {
  return start + ((value - domain.min) / (domain.max - domain.min)) * (end - start);
}

/** An SVG path through the points, already in pixel coordinates. */
export function linePath(points: readonly Point[]): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${round(p.x)},${round(p.y)}`).join('');
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
