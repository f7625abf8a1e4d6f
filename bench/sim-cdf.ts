/**
 * Draws the pooled propagation CDFs of several simulator reports on one SVG chart (the before and
 * after of bench/README.md's 1,000-node runs):
 *
 *   npx tsx bench/sim-cdf.ts [--x-max S] OUT.svg "label=report.json" ["label=report.json" …]
 *
 * `--x-max S` cuts the time axis at S seconds (a block that waited out a fork race for a minute
 * would otherwise squash every other curve to the left edge).
 * Each report is `npm run sim -- … --json FILE`'s; its `summary.cdf.delays` is the curve.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cdfSvg, POOLED_LEVELS } from '../src/sim/sim-html.ts';
import type { SimReport } from '../src/sim/sim-report.ts';

const COLORS = ['#cc3311', '#3366cc', '#228833', '#aa7700'];

const args = process.argv.slice(2);
const cut = args[0] === '--x-max' ? Number(args.splice(0, 2)[1]) : undefined;
const [out, ...specs] = args;
if (!out || specs.length === 0 || specs.some((s) => !s.includes('=')) || (cut !== undefined && !(cut > 0))) {
  console.error('usage: npx tsx bench/sim-cdf.ts [--x-max S] OUT.svg "label=report.json" ["label=report.json" …]');
  process.exit(2);
}
const series = specs.map((spec, i) => {
  const at = spec.indexOf('=');
  const report = JSON.parse(readFileSync(spec.slice(at + 1), 'utf8')) as SimReport;
  return { label: spec.slice(0, at), delays: report.summary.cdf.delays, levels: POOLED_LEVELS, style: `stroke="${COLORS[i % COLORS.length]}" stroke-width="2.5"` };
});
const xMax = cut ?? Math.max(0.1, ...series.map((s) => s.delays.findLast((d) => d !== null) ?? 0)) * 1.05;
writeFileSync(out, `${cdfSvg(series, xMax)}\n`);
console.log(`wrote ${out}`);
