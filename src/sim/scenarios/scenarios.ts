/**
 * @module The scenarios by name, as `npm run sim -- --scenario NAME` runs them at any N: each with
 * the parameters (a 10-minute partition, as many attackers as a node has slots, 30 %
 * churn a minute, 5 % flooders), checked against the options before anything runs, and the
 * flood compared with the clean run of the same seed and options, run first.
 */
import { SimOptionError, type ScenarioName, type SimOptions } from '../sim-options.ts';
import { runSimulation, type Progress } from '../simulation.ts';
import type { SimReport } from '../sim-report.ts';
import { churnScenario, SCENARIO_CHURN_PER_MIN } from './churn.ts';
import { eclipseScenario } from './eclipse.ts';
import { floodersScenario } from './flooders.ts';
import { DEFAULT_PARTITION, partitionScenario } from './partition.ts';
import type { ScenarioRun } from './scenario-run.ts';

/** The flooders' share of the nodes (the issue's 5 %). */
const FLOOD_SHARE = 0.05;
/** Blocks must go on this long after the partition heals for convergence to be seen (virtual ms). */
const AFTER_HEAL_MS = 2 * 60_000;

/** The options a scenario runs with: churn's rate when none was given. */
export function scenarioOptions(options: SimOptions): SimOptions {
  if (options.scenario === 'churn' && options.churnPerMin === 0) return { ...options, churnPerMin: SCENARIO_CHURN_PER_MIN };
  return options;
}

/** Refuses options the scenario cannot run with (a SimOptionError naming the option to change). */
export function checkScenarioOptions(options: SimOptions): void {
  const nonMiners = options.nodes - options.miners;
  if (options.scenario === 'partition') {
    const cutMs = DEFAULT_PARTITION.minutes * 60_000;
    const blocksNeeded = Math.ceil((cutMs + AFTER_HEAL_MS) / (options.spacingS * 1000));
    if (options.blocks < blocksNeeded) throw new SimOptionError('--blocks', `the partition lasts ${DEFAULT_PARTITION.minutes} minutes: at --spacing ${options.spacingS}, at least ${blocksNeeded} blocks for some to come after the heal`);
    if (options.miners < 2) throw new SimOptionError('--miners', 'the partition needs a miner on each side: at least 2');
  }
  if (options.scenario === 'eclipse' && nonMiners < options.degree + 2) throw new SimOptionError('--nodes', `the eclipse needs ${options.degree} attackers and a victim among the non-miners, and an honest one: at least ${options.miners + options.degree + 2} nodes`);
  if (options.scenario === 'flood' && nonMiners < Math.max(1, Math.round(FLOOD_SHARE * options.nodes))) throw new SimOptionError('--miners', 'the flooders are non-miners: too few of them');
}

/** A fresh run of the named scenario (each run needs its own: it records what it sees). */
export function scenarioRun(name: ScenarioName, options: SimOptions, flood = true): ScenarioRun<object> {
  switch (name) {
    case 'partition':
      return partitionScenario(DEFAULT_PARTITION);
    case 'eclipse':
      return eclipseScenario({ attackers: options.degree });
    case 'churn':
      return churnScenario();
    case 'flood':
      return floodersScenario({ share: FLOOD_SHARE, flood });
  }
}

export interface ScenarioResult {
  readonly report: SimReport;
  readonly outcome: object;
  /** The flood's clean run (same seed and options, the same nodes marked, nobody flooding). */
  readonly clean?: { readonly report: SimReport; readonly outcome: object };
}

/** Runs `options.scenario` (the flood after its clean run); the options must have passed {@link checkScenarioOptions}. */
export async function runScenario(options: SimOptions, progress?: Progress): Promise<ScenarioResult> {
  const name = options.scenario;
  if (!name) throw new RangeError('no scenario named');
  const run = async (flood: boolean) => {
    const scenario = scenarioRun(name, options, flood);
    const report = await runSimulation(options, scenario.hook, progress);
    return { report, outcome: scenario.outcome(report) };
  };
  if (name !== 'flood') return run(true);
  const clean = await run(false);
  const flooded = await run(true);
  return { ...flooded, clean };
}
