/**
 * @module The mempool view's numbers, as pure functions: `window.tabchain.mempool()` entries as
 * typed rows in fee-rate order, their totals, the spread of fee rates (min, median, max) and a
 * histogram of how many transactions pay each fee rate (or band of rates).
 */

/** The fields of a mempool entry (`mempoolEntryJson` in src/app/json.ts) the view shows. */
export interface MempoolEntryJson {
  txid: string;
  /** Base units, as a decimal string. */
  fee: string;
  /** Base units per byte, as a decimal string. */
  feeRate: string;
  size: number;
  /** Unix seconds when the pool accepted it. */
  time: number;
  outputs: { amount: string; address: string }[];
  /** What it pays (outputs not back to its inputs' keys), base units; null when not known. */
  paid: string | null;
  memo: string;
}

export interface MempoolRow {
  txid: string;
  fee: bigint;
  /** Base units per byte. */
  feeRate: number;
  size: number;
  /** The sum of the outputs (payment and change), in base units. */
  amountOut: bigint;
  /** What it pays to others, in base units (null: an input's output is not known here). */
  paid: bigint | null;
  memo: string;
  time: number;
}

/** Rows for the entries, highest fee rate first (the first accepted first among equals). */
export function mempoolRows(entries: readonly MempoolEntryJson[]): MempoolRow[] {
  return entries
    .map((e) => ({
      txid: e.txid,
      fee: BigInt(e.fee),
      feeRate: Number(e.feeRate),
      size: e.size,
      amountOut: e.outputs.reduce((sum, o) => sum + BigInt(o.amount), 0n),
      paid: e.paid === null ? null : BigInt(e.paid),
      memo: e.memo,
      time: e.time,
    }))
    .sort((a, b) => b.feeRate - a.feeRate || a.time - b.time || (a.txid < b.txid ? -1 : a.txid > b.txid ? 1 : 0));
}

export interface MempoolTotals {
  count: number;
  bytes: number;
  fees: bigint;
  /** Fee rates (units per byte); null for an empty pool. */
  minRate: number | null;
  medianRate: number | null;
  maxRate: number | null;
}

export function mempoolTotals(rows: readonly MempoolRow[]): MempoolTotals {
  const rates = rows.map((r) => r.feeRate).sort((a, b) => a - b);
  const n = rates.length;
  return {
    count: n,
    bytes: rows.reduce((sum, r) => sum + r.size, 0),
    fees: rows.reduce((sum, r) => sum + r.fee, 0n),
    minRate: n ? rates[0]! : null,
    medianRate: n ? (n % 2 ? rates[(n - 1) / 2]! : (rates[n / 2 - 1]! + rates[n / 2]!) / 2) : null,
    maxRate: n ? rates[n - 1]! : null,
  };
}

/**
 * How many transactions pay each fee rate: one bar per distinct rate when there are at most
 * `maxBins` of them (`x` the rate itself, in units per byte), else `maxBins` bands of equal width
 * from the lowest rate to the highest (`x` the middle of the band). `y` is the count; none for an
 * empty pool.
 */
export function feeRateHistogram(rows: readonly MempoolRow[], maxBins = 10): { x: number; y: number }[] {
  if (rows.length === 0 || maxBins < 1) return [];
  const rates = rows.map((r) => r.feeRate);
  const distinct = [...new Set(rates)].sort((a, b) => a - b);
  if (distinct.length <= maxBins) return distinct.map((x) => ({ x, y: rates.filter((r) => r === x).length }));
  const bins = Math.floor(maxBins);
  const min = distinct[0]!;
  const width = (distinct[distinct.length - 1]! - min) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const rate of rates) counts[Math.min(bins - 1, Math.floor((rate - min) / width))]! += 1;
  return counts.map((y, i) => ({ x: min + width * (i + 0.5), y }));
}
