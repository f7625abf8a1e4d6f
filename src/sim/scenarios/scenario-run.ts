/**
 * @module What a named scenario is (issue 16, "Scenarios as tests"): a hook the simulation calls
 * before its clock starts (ScenarioContext in simulation.ts: the partition, the signaling
 * server's introductions, the nodes), and what it saw, read after the run. The same scenario runs
 * at small N in its test and at large N from the CLI (`npm run sim -- --scenario NAME`), which
 * prints its outcome under the summary and writes it to `--json` as `scenario`.
 */
import type { Scenario } from '../simulation.ts';
import type { SimReport } from '../sim-report.ts';

export interface ScenarioRun<Outcome> {
  readonly name: string;
  /** Installed before the clock starts. */
  readonly hook: Scenario;
  /** What the scenario saw, once the run is over (a plain object: it goes into the JSON). */
  outcome(report: SimReport): Outcome;
}

/** The outcome as `key  value` lines (the CLI prints them under the summary). */
export function outcomeLines(outcome: object): [string, string][] {
  return Object.entries(outcome).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]);
}
