import { describe, expect, it } from 'vitest';
import { feeRateHistogram, mempoolRows, mempoolTotals, type MempoolEntryJson } from './mempool-rows.ts';

const entry = (txid: string, fee: number, size: number, time = 100, outputs: number[] = [1000]): MempoolEntryJson => ({
  txid,
  fee: String(fee),
  feeRate: String(Math.floor((fee * 1000) / size) / 1000),
  size,
  time,
  outputs: outputs.map((amount) => ({ amount: String(amount), address: 'ttab1x' })),
  paid: outputs[0] === undefined ? null : String(outputs[0]),
  memo: `memo of ${txid}`,
});

describe('mempoolRows', () => {
  it('behavior: highest fee rate first, then the oldest', () => {
    const rows = mempoolRows([entry('a', 200, 200, 5), entry('b', 1000, 200, 9), entry('c', 400, 200, 3), entry('d', 400, 200, 1)]);
    expect(rows.map((r) => r.txid)).toEqual(['b', 'd', 'c', 'a']);
    expect(rows[0]).toEqual({ txid: 'b', fee: 1000n, feeRate: 5, size: 200, amountOut: 1000n, paid: 1000n, memo: 'memo of b', time: 9 });
  });

  it('behavior: the amount out sums every output in base units', () => {
    const [row] = mempoolRows([entry('a', 1, 1, 1, [123_450_000_000, 9_876_543_210])]);
    expect(row!.amountOut).toBe(133_326_543_210n);
    // What it pays is the node's answer (outputs not back to the sender), kept apart from the total.
    expect(row!.paid).toBe(123_450_000_000n);
  });
});

describe('mempoolTotals', () => {
  it('behavior: count, bytes, fees and the spread of fee rates', () => {
    const rows = mempoolRows([entry('a', 200, 200), entry('b', 1000, 200), entry('c', 400, 100)]);
    expect(mempoolTotals(rows)).toEqual({ count: 3, bytes: 500, fees: 1600n, minRate: 1, medianRate: 4, maxRate: 5 });
  });

  it('behavior: the median of an even count is the mean of the middle two', () => {
    const rows = mempoolRows([entry('a', 100, 100), entry('b', 200, 100), entry('c', 400, 100), entry('d', 800, 100)]);
    expect(mempoolTotals(rows).medianRate).toBe(3);
  });

  it('behavior: an empty pool has no rates', () => {
    expect(mempoolTotals([])).toEqual({ count: 0, bytes: 0, fees: 0n, minRate: null, medianRate: null, maxRate: null });
  });
});

describe('feeRateHistogram', () => {
  it('behavior: one bar per distinct rate when there are few, lowest first', () => {
    expect(feeRateHistogram(mempoolRows([entry('a', 200, 200), entry('b', 100, 100)]))).toEqual([{ x: 1, y: 2 }]);
    const rows = mempoolRows([entry('a', 100, 100), entry('b', 300, 100), entry('c', 500, 100), entry('d', 500, 100)]);
    expect(feeRateHistogram(rows)).toEqual([
      { x: 1, y: 1 },
      { x: 3, y: 1 },
      { x: 5, y: 2 },
    ]);
  });

  it('behavior: many rates fall into equal-width bands from the lowest to the highest, each tx counted once', () => {
    const rows = mempoolRows([entry('a', 100, 100), entry('b', 200, 100), entry('c', 500, 100), entry('d', 500, 100)]);
    expect(feeRateHistogram(rows, 2)).toEqual([
      { x: 2, y: 2 },
      { x: 4, y: 2 },
    ]);
    const many = mempoolRows(Array.from({ length: 50 }, (_, i) => entry(`t${i}`, 100 + i * 10, 100)));
    const bands = feeRateHistogram(many, 10);
    expect(bands).toHaveLength(10);
    expect(bands.reduce((s, b) => s + b.y, 0)).toBe(50);
  });

  it('behavior: nothing for an empty pool', () => {
    expect(feeRateHistogram([])).toEqual([]);
  });
});
