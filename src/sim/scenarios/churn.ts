/**
 * @module The churn scenario (issue 16): nodes leave and as many new ones join all through the run
 * (the simulation's `churnPerMin`, 30 % of the nodes a minute here; miners stay). What must hold:
 * every node alive at the end that has been up for a while (SETTLED_MS) is on the best chain,
 * and each block reaches nearly all of the nodes alive when it was found (a node that leaves
 * before the block gets to it is the only one to miss it). The hook only observes; the churn is
 * the simulation's own.
 */
import type { ScenarioContext } from '../simulation.ts';
import type { SimReport } from '../sim-report.ts';
import type { ScenarioRun } from './scenario-run.ts';

/** The churn rate of the scenario: 30 % of the nodes replaced each simulated minute. */
export const SCENARIO_CHURN_PER_MIN = 0.3;
/** A node up this long at the end has had time to link and sync (virtual ms): a join, a few round trips, the chain's headers and blocks. */
export const SETTLED_MS = 60_000;

export interface ChurnOutcome {
  /** Nodes alive at the end, and those of them up for SETTLED_MS. */
  readonly aliveAtEnd: number;
  readonly settled: number;
  /** Settled nodes on the best chain's tip at the end. */
  readonly settledConverged: string;
  /** Over the best chain's blocks: the least and the median share of the nodes alive when a block was found that connected it. */
  readonly reachedMin: number;
  readonly reachedMedian: number;
  readonly nodesLeft: number;
  readonly nodesJoined: number;
}

export function churnScenario(): ScenarioRun<ChurnOutcome> {
  let settledTips: string[] = [];
  let aliveAtEnd = 0;

  const hook = (ctx: ScenarioContext): void => {
    ctx.scheduler.at(ctx.endMs - 1, () => {
      const alive = ctx.nodes.filter((n) => n.host.alive);
      aliveAtEnd = alive.length;
      settledTips = alive.filter((n) => ctx.scheduler.now - n.startedAt >= SETTLED_MS).map((n) => n.node.tip.hash);
    });
  };

  return {
    name: 'churn',
    hook,
    outcome: (report: SimReport): ChurnOutcome => {
      const main = report.blocks.filter((b) => !b.stale);
      const best = main.reduce<(typeof main)[number] | undefined>((top, b) => (!top || b.height > top.height ? b : top), undefined);
      const reached = main.map((b) => b.reached).sort((x, y) => x - y);
      return {
        aliveAtEnd,
        settled: settledTips.length,
        settledConverged: `${settledTips.filter((t) => t === best?.hash).length}/${settledTips.length}`,
        reachedMin: reached[0] ?? 0,
        reachedMedian: reached[Math.floor(reached.length / 2)] ?? 0,
        nodesLeft: report.summary.nodesLeft,
        nodesJoined: report.summary.nodesJoined,
      };
    },
  };
}
