/**
 * @module The twenty-tabs benchmark's per-tab table (not a benchmark of its own): links, the
 * connection budget, CPU and the tab's own propagation, one row a tab, then the medians over the
 * tabs that do not mine.
 */
import { formatNumber, median } from './harness.ts';
import type { BenchTab } from './tab-fleet.ts';
import type { LinkSnapshot, PageCounters } from './tab-metrics.ts';

export interface TabTableInput {
  readonly tabs: readonly BenchTab[];
  /** Per block: each tab's delay after the miner (undefined for the miner and for a tab that never got it). */
  readonly rounds: readonly { readonly delays: readonly (number | undefined)[] }[];
  readonly hops: ReadonlyMap<string, number>;
  /** Links when the blocks started and when they ended. */
  readonly linksBefore: readonly LinkSnapshot[];
  readonly linksAfter: readonly LinkSnapshot[];
  /** CDP counters when the blocks started and when they ended. */
  readonly counters0: readonly PageCounters[];
  readonly counters1: readonly PageCounters[];
  /** Wall time of the blocks. */
  readonly wallMs: number;
  /** CDP counters over an idle window just before the blocks, and its length. */
  readonly idle: { readonly before: readonly PageCounters[]; readonly after: readonly PageCounters[]; readonly wallMs: number };
}

const HEADER = [
  'tab',
  'hops',
  'ready links (first block → end)',
  'RTCPeerConnections made / live / Blink',
  'CPU s before the blocks',
  'CPU s in the blocks (% of a core)',
  'main thread s',
  'delay median ms',
];

/** Prints the table (columns aligned, the first left) and the line of medians under it. */
export function printTabTable(input: TabTableInput): void {
  const { tabs, rounds, hops, linksBefore, linksAfter, counters0, counters1, wallMs, idle } = input;
  const processDuring = tabs.map((_, i) => counters1[i]!.process - counters0[i]!.process);
  const threadDuring = tabs.map((_, i) => counters1[i]!.thread - counters0[i]!.thread);
  const delays = tabs.map((_, i) => rounds.map((r) => r.delays[i]).filter((d): d is number => d !== undefined));
  const share = (cpuSeconds: number): string => `${formatNumber((cpuSeconds * 1000 * 100) / wallMs)} %`;
  const rows = tabs.map((tab, i) => {
    const after = linksAfter[i]!;
    return [
      i === 0 ? `${tab.index + 1} (miner)` : String(tab.index + 1),
      String(hops.get(tab.peerId) ?? '—'),
      `${linksBefore[i]!.ready.length} → ${after.ready.length}${after.opening ? ` +${after.opening} opening` : ''}${after.failed ? `, ${after.failed} failed` : ''}`,
      `${after.created} / ${after.live} / ${counters1[i]!.rtc}`,
      formatNumber(counters0[i]!.process),
      `${formatNumber(processDuring[i]!)} (${share(processDuring[i]!)})`,
      formatNumber(threadDuring[i]!),
      i === 0 ? 'miner' : delays[i]!.length ? formatNumber(median(delays[i]!)) : '—',
    ];
  });
  const widths = HEADER.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: readonly string[]): string => cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  console.log('');
  console.log(`  ${line(HEADER)}`);
  console.log(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const row of rows) console.log(`  ${line(row)}`);

  const others = tabs.map((_, i) => i).filter((i) => i > 0);
  const of = (values: readonly number[]): number => median(others.map((i) => values[i]!));
  console.log('');
  console.log(
    `  tabs 2–${tabs.length}, medians: ${formatNumber(of(linksAfter.map((l) => l.ready.length)))} ready links at the end (min ${Math.min(...others.map((i) => linksAfter[i]!.ready.length))}, max ${Math.max(...others.map((i) => linksAfter[i]!.ready.length))}), ` +
      `${formatNumber(of(linksAfter.map((l) => l.created)))} RTCPeerConnections created (budget ${linksAfter[0]?.limit} live), ` +
      `CPU during the blocks ${share(of(processDuring))} of a core (main thread ${share(of(threadDuring))}); the miner ${share(processDuring[0]!)}`,
  );
  // What a block costs a tab above idling: CPU in the blocks less the idle rate over as long.
  const idleRate = tabs.map((_, i) => (idle.after[i]!.process - idle.before[i]!.process) / idle.wallMs);
  const perBlock = tabs.map((_, i) => (processDuring[i]! - idleRate[i]! * wallMs) / Math.max(1, rounds.length));
  const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
  console.log(
    `  idle (${formatNumber(idle.wallMs / 1000)} s with no block, just before): ${share(of(idleRate) * wallMs)} of a core per tab (median), all ${tabs.length} tabs ${formatNumber(sum(idleRate) * 100 * 1000)} % of a core; ` +
      `a block costs a tab ${formatNumber(of(perBlock) * 1000)} ms of CPU above idle (median; the miner ${formatNumber(perBlock[0]! * 1000)} ms), all tabs together ${formatNumber(sum(perBlock) * 1000)} ms a block`,
  );
  console.log("  note: CPU is CDP Performance.getMetrics' ProcessTime of the tab's renderer (its main thread and its workers: the node's, the miner's, the verifier pool's); main thread is ThreadTime. RTCPeerConnections: made since the page loaded and live as the app's budget counts them (connectivity()), and Blink's count of live objects");
}
