/**
 * The eclipse scenario at small N: the signaling server shows a victim only attacker nodes (and
 * hides it from the honest ones). Outcomes only, nothing timed.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, type SimOptions } from '../sim-options.ts';
import { runSimulation } from '../simulation.ts';
import { eclipseScenario } from './eclipse.ts';

const small = (over: Partial<SimOptions>): SimOptions => ({ ...DEFAULT_OPTIONS, sigUs: 80, warmupS: 40, spacingS: 20, ...over });

describe('eclipse scenario', () => {
  it('behavior: a victim the server shows only attackers gets no honest peer and falls behind, and says its tip is stale; the honest nodes converge and do not', async () => {
    const scenario = eclipseScenario({ attackers: 8 });
    const report = await runSimulation(small({ nodes: 24, blocks: 10, txs: 2, miners: 3, seed: 4, latencyMs: 50, jitterMs: 20 }), scenario.hook);
    const outcome = scenario.outcome(report);
    expect(report.summary.errors).toEqual([]);
    // The attack held: the victim linked, but only to attackers, and stayed behind the best chain.
    expect(outcome.attackers).toHaveLength(8);
    expect(outcome.victimPeers).toBeGreaterThan(0);
    expect(outcome.victimHonestPeers).toBe(0);
    expect(outcome.victimOnBestChain).toBe(false);
    expect(outcome.victimHeight).toBeLessThan(outcome.bestHeight);
    // And the victim says so: no peer brought a block for 3 target spacings.
    expect(outcome.victimSaysStale).toBe(true);
    expect(outcome.victimStaleFrom).not.toBeNull();
    // The honest nodes are all on the best chain, and none that does not mine raises the alarm.
    const [onBest, honest] = outcome.honestConverged.split('/').map(Number);
    expect(honest).toBe(24 - 9);
    expect(onBest).toBe(honest);
    expect(outcome.honestSayingStale).toBe(0);
  }, 120_000);
});
