/**
 * The churn scenario at small N: 30 % of the nodes replaced each simulated minute. Outcomes only,
 * nothing timed.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, type SimOptions } from '../sim-options.ts';
import { runSimulation } from '../simulation.ts';
import { churnScenario, SCENARIO_CHURN_PER_MIN } from './churn.ts';

const small = (over: Partial<SimOptions>): SimOptions => ({ ...DEFAULT_OPTIONS, sigUs: 80, warmupS: 40, spacingS: 20, ...over });

describe('churn scenario', () => {
  it('behavior: with 30 % of the nodes replaced a minute, every node up for a while converges and blocks reach nearly all the nodes alive when found', async () => {
    const scenario = churnScenario();
    const report = await runSimulation(small({ nodes: 30, blocks: 10, txs: 4, miners: 3, seed: 7, latencyMs: 50, jitterMs: 20, churnPerMin: SCENARIO_CHURN_PER_MIN }), scenario.hook);
    const outcome = scenario.outcome(report);
    expect(report.summary.errors).toEqual([]);
    // About 30 % of 30 nodes a minute over a run of several minutes: many more than the nodes.
    expect(outcome.nodesLeft).toBeGreaterThan(30);
    expect(outcome.nodesJoined).toBe(outcome.nodesLeft);
    expect(outcome.aliveAtEnd).toBe(30);
    // Every node up for a minute is on the best chain.
    const [converged, settled] = outcome.settledConverged.split('/').map(Number);
    expect(settled).toBeGreaterThan(15);
    expect(converged).toBe(settled);
    // A block misses only nodes that leave before it gets to them: nearly none.
    expect(outcome.reachedMin).toBeGreaterThanOrEqual(0.9);
  }, 120_000);
});
