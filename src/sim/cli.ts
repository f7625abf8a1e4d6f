/**
 * @module `npm run sim -- [options]`: runs one simulation and prints its summary table; `--json`
 * writes the whole report, `--html` the propagation CDF as a self-contained page. A bad option is
 * refused with its reason and exit code 2, before anything runs.
 */
import { writeFileSync } from 'node:fs';
import { parseSimOptions, SimOptionError, simUsage, type SimOptions } from './sim-options.ts';
import { runSimulation } from './simulation.ts';
import { renderHtml } from './sim-html.ts';
import type { Percentiles, SimReport } from './sim-report.ts';
import { checkScenarioOptions, runScenario, scenarioOptions } from './scenarios/scenarios.ts';
import { outcomeLines } from './scenarios/scenario-run.ts';

function main(argv: string[]): Promise<number> | number {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(simUsage());
    return 0;
  }
  let options: SimOptions;
  try {
    options = scenarioOptions(parseSimOptions(argv));
    checkScenarioOptions(options);
  } catch (error) {
    if (!(error instanceof SimOptionError)) throw error;
    console.error(`sim: ${error.message}`);
    return 2;
  }
  return run(options);
}

async function run(options: SimOptions): Promise<number> {
  const started = performance.now();
  const progress = (at: number, end: number, events: number): void => {
    const real = ((performance.now() - started) / 1000).toFixed(0);
    process.stderr.write(`sim: ${(at / 1000).toFixed(0)} / ${(end / 1000).toFixed(0)} simulated s, ${events} events, ${real} s real\n`);
  };
  if (options.scenario) {
    const { report, outcome, clean } = await runScenario(options, progress);
    if (clean) console.log(`clean run (no flooders, same seed and options):\n${summaryTable(clean.report)}\n${table(outcomeLines(clean.outcome))}\n\nflooded run:`);
    console.log(`${summaryTable(report)}\n\nscenario ${options.scenario}:\n${table(outcomeLines(outcome))}`);
    if (options.json) writeFileSync(options.json, JSON.stringify({ ...report, scenario: { name: options.scenario, outcome, ...(clean ? { clean: { summary: clean.report.summary, outcome: clean.outcome } } : {}) } }, null, 2) + '\n');
    if (options.html) writeFileSync(options.html, renderHtml(report));
    return report.summary.errors.length > 0 ? 1 : 0;
  }
  const report = await runSimulation(options, undefined, progress);
  console.log(summaryTable(report));
  if (options.json) writeFileSync(options.json, JSON.stringify(report, null, 2) + '\n');
  if (options.html) writeFileSync(options.html, renderHtml(report));
  return report.summary.errors.length > 0 ? 1 : 0;
}

const seconds = (v: number | null): string => (v === null ? 'never' : `${v.toFixed(3)} s`);
const row = (p: Percentiles): string => `p50 ${seconds(p.p50)}   p90 ${seconds(p.p90)}   p99 ${seconds(p.p99)}`;

export function summaryTable(report: SimReport): string {
  const { options: o, summary: s, real } = report;
  const lines: [string, string][] = [
    ['network', `${o.nodes} nodes, degree ${o.degree}, ${o.latencyMs} ± ${o.jitterMs} ms, loss ${o.loss}, ${o.bandwidthMbit} Mbit/s up, protocol ${o.protocol}, seed ${o.seed}`],
    ['blocks', `${s.blocks} found (${s.staleBlocks} stale, rate ${s.staleRate}), ${s.txsPerBlock} txs and ${s.blockBytes} bytes each on average`],
    ['reach 50 %', row(s.reach50)],
    ['reach 90 %', row(s.reach90)],
    ['reach 99 %', row(s.reach99)],
    ['bytes/node/block', `${s.bytesPerNodePerBlock} all traffic (${(s.bytesPerNodePerBlock / Math.max(1, s.blockBytes)).toFixed(2)} x block), ${s.blockRelayBytesPerNodePerBlock} block relay alone`],
    ['duplicates', `${s.duplicateBlockDeliveries} block messages beyond the first copy`],
    ['reorgs', `${s.reorgs} (deepest ${s.maxReorgDepth})`],
    ['peers', `min ${s.peers.min}, mean ${s.peers.mean}, max ${s.peers.max}, isolated ${s.peers.isolated}; converged ${s.converged}/${s.nodesAtEnd}`],
    ['churn', `${s.nodesLeft} left, ${s.nodesJoined} joined`],
    ['virtual CPU', `busy ${(s.cpuBusy * 100).toFixed(3)} %, ${s.signaturesCharged} signatures charged at ${s.signatureUs} µs; ${s.realSignatureChecks} really verified`],
    ['simulated', `${s.simulatedSeconds} s, ${s.events} events`],
    ['real', `${real.wallSeconds} s wall, ${real.cpuSeconds} s CPU (${real.cpuMsPerNode} ms/node), heap ${real.heapMB} MB (${real.heapKBPerNode} KB/node), rss ${real.rssMB} MB`],
  ];
  if (s.errors.length) lines.push(['errors', s.errors.join('; ')]);
  return table(lines);
}

function table(lines: readonly [string, string][]): string {
  const width = Math.max(...lines.map(([k]) => k.length));
  return lines.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

process.exitCode = await main(process.argv.slice(2));
