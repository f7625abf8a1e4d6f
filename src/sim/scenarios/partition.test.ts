/**
 * The partition scenario at small N: two halves, each mining, cut apart for 10 simulated minutes,
 * then healed. Outcomes only, nothing timed.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, type SimOptions } from '../sim-options.ts';
import { runSimulation } from '../simulation.ts';
import { partitionScenario } from './partition.ts';

const small = (over: Partial<SimOptions>): SimOptions => ({ ...DEFAULT_OPTIONS, sigUs: 80, warmupS: 40, ...over });

describe('partition scenario', () => {
  it('behavior: halves cut for 10 minutes both mine, then link up again and all converge on the most work, the losing half reorganizing', async () => {
    const scenario = partitionScenario({ minutes: 10 });
    const report = await runSimulation(small({ nodes: 16, blocks: 40, txs: 2, miners: 4, seed: 3, latencyMs: 50, jitterMs: 20, spacingS: 20 }), scenario.hook);
    const outcome = scenario.outcome(report);
    expect(report.summary.errors).toEqual([]);
    // Both halves mined during the cut, and the cut dropped every link across (the ping timeout).
    expect(outcome.blocksDuringCut[0]).toBeGreaterThan(0);
    expect(outcome.blocksDuringCut[1]).toBeGreaterThan(0);
    expect(outcome.linksAcross.before).toBeGreaterThan(0);
    expect(outcome.linksAcross.atHeal).toBe(0);
    expect(report.summary.disconnects['ping timeout']).toBeGreaterThan(0);
    // After the heal the halves found each other again (extra-outbound.ts) and agreed on one tip.
    expect(outcome.relinkedAfter).not.toBeNull();
    expect(outcome.linksAcross.atEnd).toBeGreaterThan(0);
    expect(outcome.convergedAfter).not.toBeNull();
    expect(report.summary.converged).toBe(16);
    expect(report.summary.nodesAtEnd).toBe(16);
    // The half with less work reorganized: at least its own branch deep (its blocks above the
    // fork, fewer than it found when one went stale within the half), and every node of it.
    const losing = Math.min(...outcome.branchDepths);
    expect(losing).toBeGreaterThan(0);
    expect(outcome.maxReorgDepth).toBeGreaterThanOrEqual(losing);
    const reorged = Object.entries(outcome.reorgDepths).filter(([depth]) => Number(depth) >= losing).reduce((n, [, count]) => n + count, 0);
    expect(reorged).toBeGreaterThanOrEqual(8);
  }, 120_000);
});
