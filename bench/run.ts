/**
 * `npm run bench`: runs every benchmark in sequence and prints a table and ratio lines for each.
 * Benchmarks print; they never fail on speed. A benchmark throws only when its own set-up is
 * wrong (a block that does not validate, hashes that disagree), since its numbers would be lies.
 */
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { run as runBrowser } from './browser.bench.ts';
import { run as runBundle } from './bundle.bench.ts';
import { run as runChain } from './chain.bench.ts';
import { run as runCompactBlocks } from './compact-blocks.bench.ts';
import { run as runFullBlocks } from './full-blocks.bench.ts';
import { sinkValue } from './harness.ts';
import { run as runHash } from './hash.bench.ts';
import { run as runLab } from './lab.bench.ts';
import { run as runMining } from './mining.bench.ts';
import { run as runPeers } from './peers.bench.ts';
import { run as runTabs } from './tabs.bench.ts';
import { run as runValidation } from './validation.bench.ts';

const benches: readonly [string, () => Promise<unknown>][] = [
  ['hash', runHash],
  ['mining', runMining],
  ['validation', runValidation],
  ['chain', runChain],
  ['compact-blocks', runCompactBlocks],
  ['bundle', runBundle],
  // Last: these need Chromium and dist/ (they build dist/ when missing; they skip without a browser).
  ['browser', runBrowser],
  ['peers', runPeers],
  ['tabs', runTabs],
  ['full-blocks', runFullBlocks],
  // The NAT lab's first-link and sync rates (root with CAP_NET_ADMIN only; it says why it skips).
  ['lab', runLab],
];

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(`tabchain benchmarks: node ${process.version}, ${cpus().length} × ${cpu}, ${process.platform}/${process.arch}`);
console.log('rates are medians of interleaved rounds; ratios are medians of per-round ratios (see bench/README.md)');

const started = performance.now();
for (const [name, bench] of benches) {
  const t0 = performance.now();
  await bench();
  console.log(`  (${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
console.log(`\nall benchmarks: ${((performance.now() - started) / 1000).toFixed(1)} s (sink ${sinkValue()})`);
