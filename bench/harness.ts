/**
 * A tiny timing harness shared by the benchmarks. Benchmarks print numbers and ratios; they never
 * assert speed.
 *
 * Cases that are compared with each other are measured interleaved: each is warmed up, then the
 * cases take turns for several short rounds (A B C, A B C, ...) and each case's rate is the median
 * of its rounds. On a shared or throttling machine, a slow patch then hits every case alike
 * instead of skewing whichever case happened to run during it, so ratios stay meaningful even
 * when absolute numbers drift between runs.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

export interface Measurement {
  readonly name: string;
  /** What one operation is ("hash", "block", "verify"). */
  readonly unit: string;
  /** Operations timed, over all rounds (warm-up excluded). */
  readonly ops: number;
  /** Milliseconds spent in the timed parts, over all rounds. */
  readonly ms: number;
  /** Median over the rounds of operations per second. */
  readonly opsPerSec: number;
  /** Slowest and fastest round. */
  readonly minOpsPerSec: number;
  readonly maxOpsPerSec: number;
  readonly rounds: number;
  /** Ops per second of each round, in round order. */
  readonly roundRates: readonly number[];
}

interface CaseBase {
  readonly name: string;
  readonly unit?: string;
  /** Operations one call performs (default 1). */
  readonly opsPerCall?: number;
}

/** A synchronous case; it is called in batches between clock reads. */
export interface SyncCase extends CaseBase {
  readonly fn: () => void;
}

/** An async case; `setup` runs before every call, outside the timed part (fresh state per call). */
export interface AsyncCase<T = unknown> extends CaseBase {
  readonly setup: () => T | Promise<T>;
  readonly body: (state: T) => Promise<void>;
}

export type Case = SyncCase | AsyncCase;

/** Declares an async case with its state type checked (the array of cases erases it). */
export function asyncCase<T>(c: AsyncCase<T>): Case {
  return c as unknown as Case;
}

export interface CompareOptions {
  /** Rounds per case (default 8). */
  readonly rounds?: number;
  /** Timed budget of one case in one round, in ms (default 200). At least one call always runs. */
  readonly roundMs?: number;
  /** Warm-up budget per case, in ms (default 300). At least one call always runs. */
  readonly warmupMs?: number;
}

/** Sync calls are batched so a clock read happens about every few ms, not after every call. */
const TARGET_CHUNK_MS = 5;

/**
 * A value benchmarks feed results into, so the JIT cannot discard work whose result is unused.
 */
let sink = 0;
export function consume(value: Uint8Array | boolean | number): void {
  sink = (sink + (typeof value === 'number' ? value : typeof value === 'boolean' ? (value ? 1 : 0) : value[0]!)) | 0;
}
export function sinkValue(): number {
  return sink;
}

interface Runner {
  /** Runs whole calls until at least `ms` of timed work; returns calls made and time spent. */
  runFor(ms: number): Promise<{ calls: number; ms: number }>;
}

function syncRunner(c: SyncCase): Runner {
  let batch = 1;
  return {
    async runFor(budget) {
      let calls = 0;
      let elapsed = 0;
      while (elapsed < budget) {
        const t0 = performance.now();
        for (let i = 0; i < batch; i++) c.fn();
        const spent = performance.now() - t0;
        elapsed += spent;
        calls += batch;
        // Grow the batch (never past the remaining budget's worth) until a chunk is TARGET_CHUNK_MS.
        if (spent < TARGET_CHUNK_MS && spent * 2 < budget - elapsed) batch *= 2;
      }
      return { calls, ms: elapsed };
    },
  };
}

function asyncRunner(c: AsyncCase): Runner {
  return {
    async runFor(budget) {
      let calls = 0;
      let elapsed = 0;
      while (elapsed < budget) {
        const state = await c.setup();
        const t0 = performance.now();
        await c.body(state);
        elapsed += performance.now() - t0;
        calls++;
      }
      return { calls, ms: elapsed };
    },
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Measures cases interleaved (see the module comment); results are in the order given. */
export async function compare(cases: readonly Case[], options: CompareOptions = {}): Promise<Measurement[]> {
  const { rounds = 8, roundMs = 200, warmupMs = 300 } = options;
  const runners = cases.map((c) => ('fn' in c ? syncRunner(c) : asyncRunner(c)));
  for (const r of runners) await r.runFor(warmupMs);
  const rates: number[][] = cases.map(() => []);
  const totals = cases.map(() => ({ ops: 0, ms: 0 }));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < cases.length; i++) {
      const { calls, ms } = await runners[i]!.runFor(roundMs);
      const ops = calls * (cases[i]!.opsPerCall ?? 1);
      rates[i]!.push((ops / ms) * 1000);
      totals[i]!.ops += ops;
      totals[i]!.ms += ms;
    }
  }
  return cases.map((c, i) => ({
    name: c.name,
    unit: c.unit ?? 'op',
    ops: totals[i]!.ops,
    ms: totals[i]!.ms,
    opsPerSec: median(rates[i]!),
    minOpsPerSec: Math.min(...rates[i]!),
    maxOpsPerSec: Math.max(...rates[i]!),
    rounds,
    roundRates: rates[i]!,
  }));
}

/**
 * a's rate over b's, as the median of the per-round ratios: both ran back to back in each round,
 * so a slow patch of the machine cancels out of each ratio.
 */
export function pairedRatio(a: Measurement, b: Measurement): number {
  return median(a.roundRates.map((rate, i) => rate / b.roundRates[i]!));
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const digits = Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2;
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatRatio(r: number): string {
  return `${r.toFixed(r >= 10 ? 1 : 3)}×`;
}

/** Prints one benchmark's results: a table of measurements, then its ratio lines and notes. */
export function printTable(title: string, rows: readonly Measurement[], ratios: readonly string[] = [], notes: readonly string[] = []): void {
  const header = ['name', 'ops/s (median)', 'µs/op', 'rounds min–max ops/s', 'ops timed'];
  const body = rows.map((r) => [
    r.name,
    `${formatNumber(r.opsPerSec)} ${r.unit}/s`,
    formatNumber(1e6 / r.opsPerSec),
    `${formatNumber(r.minOpsPerSec)}–${formatNumber(r.maxOpsPerSec)}`,
    String(r.ops),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c]!.length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  console.log(`\n== ${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of body) console.log(line(row));
  if (ratios.length) {
    console.log('');
    for (const r of ratios) console.log(`  ${r}`);
  }
  for (const n of notes) console.log(`  note: ${n}`);
}

/** True when the module at `metaUrl` is the script node was started with (a bench file run alone). */
export function isMain(metaUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && metaUrl === pathToFileURL(script).href;
}
