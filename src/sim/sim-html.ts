/**
 * @module The report as one self-contained HTML page: the propagation CDF (fraction of nodes that
 * have a block against seconds since it was found: one line per block of the best chain, and every
 * (block, node) delay pooled) as inline SVG, and the summary. No script, no CDN. `cdfSvg` also
 * draws several runs' pooled CDFs on one chart (bench/sim-cdf.ts: before and after).
 */
import type { SimReport } from './sim-report.ts';

const W = 720;
const H = 360;
const PAD = 48;

const escape = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** One line of a CDF chart: seconds at each level (fraction of nodes, 0…1); null: never reached. */
export interface CdfCurve {
  readonly delays: readonly (number | null)[];
  readonly levels: readonly number[];
  readonly style: string;
  readonly label?: string;
}

/** The levels of a block's `cdf` in the report (sim-report.ts). */
const BLOCK_LEVELS = [0, ...Array.from({ length: 19 }, (_, i) => (i + 1) / 20), 0.99, 1];
/** The levels of the pooled `summary.cdf.delays`. */
export const POOLED_LEVELS = Array.from({ length: 101 }, (_, k) => k / 100);

/** An SVG chart of CDF curves, seconds on x up to `xMax`, with the 50/90/99 % levels marked and a legend for labelled curves. */
export function cdfSvg(curves: readonly CdfCurve[], xMax: number): string {
  const x = (s: number) => PAD + (Math.min(s, xMax) / xMax) * (W - 2 * PAD);
  const y = (f: number) => H - PAD - f * (H - 2 * PAD);
  const lines = curves.map(
    (c) =>
      `<polyline fill="none" ${c.style} points="${c.delays
        .flatMap((s, i) => (s === null ? [] : [`${x(s).toFixed(1)},${y(c.levels[i]!).toFixed(1)}`]))
        .join(' ')}"/>`,
  );
  // Bottom right, where CDFs that rise from the left leave room.
  const labelled = curves.filter((c) => c.label);
  const legend = labelled.map((c, i) => {
    const ly = H - PAD - 16 - (labelled.length - 1 - i) * 18;
    return `<line x1="${W - PAD - 260}" y1="${ly}" x2="${W - PAD - 236}" y2="${ly}" ${c.style}/><text x="${W - PAD - 230}" y="${ly + 4}" font-size="12">${escape(c.label!)}</text>`;
  });
  const ticks = Array.from({ length: 6 }, (_, i) => (xMax * i) / 5);
  const axes = [
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<line x1="${PAD}" y1="${H - PAD}" x2="${W - PAD}" y2="${H - PAD}" stroke="#333"/>`,
    `<line x1="${PAD}" y1="${PAD}" x2="${PAD}" y2="${H - PAD}" stroke="#333"/>`,
    ...ticks.map((t) => `<text x="${x(t).toFixed(1)}" y="${H - PAD + 18}" font-size="11" text-anchor="middle">${t.toFixed(2)}</text>`),
    ...[0, 0.5, 0.9, 0.99].map((f) => `<line x1="${PAD}" y1="${y(f).toFixed(1)}" x2="${W - PAD}" y2="${y(f).toFixed(1)}" stroke="#ccc" stroke-dasharray="3 3"/><text x="${PAD - 6}" y="${(y(f) + 4).toFixed(1)}" font-size="11" text-anchor="end">${Math.round(f * 100)} %</text>`),
    `<text x="${W / 2}" y="${H - 8}" font-size="12" text-anchor="middle">seconds since the block was found (simulated)</text>`,
  ];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="system-ui,sans-serif" role="img" aria-label="Fraction of nodes holding a block against time since it was found">
${[...axes, ...lines, ...legend].join('\n')}
</svg>`;
}

export function renderHtml(report: SimReport): string {
  const blocks = report.blocks.filter((b) => !b.stale && b.reach99 !== null);
  const pooled = report.summary.cdf.delays;
  const xMax = Math.max(0.1, ...blocks.map((b) => b.reach99 ?? 0), pooled[99] ?? 0) * 1.1;
  // Each block's CDF (thin), and every (block, node) delay pooled (thick).
  const svg = cdfSvg(
    [
      ...blocks.map((b) => ({ delays: b.cdf, levels: BLOCK_LEVELS, style: 'stroke="#3366cc" stroke-opacity="0.35" stroke-width="1"' })),
      { delays: pooled, levels: POOLED_LEVELS, style: 'stroke="#cc3311" stroke-width="2.5"' },
    ],
    xMax,
  );
  const s = report.summary;
  const o = report.options;
  const row = (k: string, v: string) => `<tr><th>${escape(k)}</th><td>${escape(v)}</td></tr>`;
  const p = (q: { p50: number | null; p90: number | null; p99: number | null }) => `p50 ${q.p50 ?? 'never'} s · p90 ${q.p90 ?? 'never'} s · p99 ${q.p99 ?? 'never'} s`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tabchain simulation: ${o.nodes} nodes, seed ${o.seed}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}th{text-align:left;padding-right:1em}</style></head>
<body>
<h1>Block propagation: ${o.nodes} nodes, degree ${o.degree}, ${o.latencyMs} ± ${o.jitterMs} ms, loss ${o.loss}, protocol ${o.protocol}</h1>
${svg}
<p>Thin blue: each block of the best chain; thick red: every (block, node) delay pooled.</p>
<table>
${row('blocks', `${s.blocks} (${s.staleBlocks} stale), ${s.txsPerBlock} txs, ${s.blockBytes} bytes on average`)}
${row('reach 50 %', p(s.reach50))}
${row('reach 90 %', p(s.reach90))}
${row('reach 99 %', p(s.reach99))}
${row('bytes per node per block', `${s.bytesPerNodePerBlock} (block relay alone ${s.blockRelayBytesPerNodePerBlock})`)}
${row('reorgs', `${s.reorgs}, deepest ${s.maxReorgDepth}`)}
${row('real', `${report.real.wallSeconds} s wall, ${report.real.cpuSeconds} s CPU, heap ${report.real.heapMB} MB`)}
</table>
</body></html>
`;
}
