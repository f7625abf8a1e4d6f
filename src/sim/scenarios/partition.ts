/**
 * @module The partition scenario (issue 16): the nodes split in two halves, each with half the
 * miners, for some simulated minutes (10 by default) from the end of the warm-up; both halves
 * mine their own branch; then the cut heals. What must follow: every node converges on the branch
 * with most work, the losing half reorganizes (its depth is the report's `maxReorgDepth`), and
 * the halves link up again. That last part is not free: the peers' 60 s ping timeout drops every
 * link across the cut, and attempts across it fail and back off while the halves fill their
 * slots among themselves, so after the heal the halves must find each other again through the
 * signaling server's room and the mesh.
 */
import type { PeerId } from '../../core/index.ts';
import type { ScenarioContext } from '../simulation.ts';
import type { SimReport } from '../sim-report.ts';
import type { ScenarioRun } from './scenario-run.ts';

export interface PartitionOptions {
  /** How long the cut lasts (simulated minutes). */
  readonly minutes: number;
}

export interface PartitionOutcome {
  /** Nodes on each side (miners split evenly). */
  readonly sideSizes: readonly [number, number];
  /** Simulated seconds the cut began and healed. */
  readonly cutAt: number;
  readonly healAt: number;
  /** Blocks each side found during the cut. */
  readonly blocksDuringCut: readonly [number, number];
  /**
   * How deep each side's branch grew above the fork: its highest block of the cut over the best
   * height before it. Fewer than its blocks when two of its miners found blocks at one height
   * (one of them went stale within the side): what the side with less work has to reorganize.
   */
  readonly branchDepths: readonly [number, number];
  /** Ready links across the cut just before it, as it healed (the ping timeout has dropped them), and at the end. */
  readonly linksAcross: { readonly before: number; readonly atHeal: number; readonly atEnd: number };
  /** Seconds from the heal to the first ready link across (null: none came). */
  readonly relinkedAfter: number | null;
  /** Seconds from the heal until every node alive held one tip (sampled each simulated second; null: never). */
  readonly convergedAfter: number | null;
  readonly converged: string;
  readonly maxReorgDepth: number;
  readonly reorgDepths: Record<string, number>;
}

export const DEFAULT_PARTITION: PartitionOptions = { minutes: 10 };

/** Splits the nodes in two halves for `minutes`, then heals the cut (see the module comment). */
export function partitionScenario(options: PartitionOptions = DEFAULT_PARTITION): ScenarioRun<PartitionOutcome> {
  const sides: [number[], number[]] = [[], []];
  const blocks: [number, number] = [0, 0];
  const across = { before: 0, atHeal: 0, atEnd: 0 };
  let cutAt = 0;
  let healAt = 0;
  let relinkedAt: number | null = null;
  let convergedAt: number | null = null;

  const hook = (ctx: ScenarioContext): void => {
    // Miners first, then the rest, dealt alternately: both halves mine, and have as many nodes.
    const minerSet = new Set(ctx.miners);
    const order = [...ctx.miners, ...ctx.nodes.map((n) => n.host.index).filter((i) => !minerSet.has(i))];
    order.forEach((index, k) => sides[k % 2]!.push(index));
    const sideOf = new Map<PeerId, number>();
    for (const [s, members] of sides.entries()) for (const i of members) sideOf.set(ctx.nodes[i]!.identity.peerId, s);
    const linksAcross = (): number => {
      let n = 0;
      for (const node of ctx.nodes) {
        if (!node.host.alive) continue;
        const mine = sideOf.get(node.identity.peerId);
        // Each link counted once: from the side-0 end.
        if (mine === 0) n += node.network.readyPeerIds().filter((id) => sideOf.get(id) === 1).length;
      }
      return n;
    };
    cutAt = ctx.warmupMs;
    healAt = cutAt + options.minutes * 60_000;
    ctx.scheduler.at(cutAt, () => {
      across.before = linksAcross();
      ctx.fabric.partition(new Set(sides[0].map((i) => ctx.nodes[i]!.host)), healAt);
    });
    const end = ctx.endMs;
    const tipsAgree = (): boolean => {
      const alive = ctx.nodes.filter((n) => n.host.alive);
      return alive.every((n) => n.node.tip.hash === alive[0]!.node.tip.hash);
    };
    ctx.scheduler.at(healAt, () => {
      across.atHeal = linksAcross();
    });
    for (let t = healAt + 1000; t < end; t += 1000) {
      ctx.scheduler.at(t, () => {
        if (relinkedAt === null && linksAcross() > 0) relinkedAt = t;
        if (convergedAt === null && tipsAgree()) convergedAt = t;
      });
    }
    ctx.scheduler.at(end - 1, () => {
      across.atEnd = linksAcross();
    });
  };

  return {
    name: 'partition',
    hook,
    outcome: (report: SimReport): PartitionOutcome => {
      const sideOfIndex = new Map<number, number>();
      for (const [s, members] of sides.entries()) for (const i of members) sideOfIndex.set(i, s);
      // The fork: the best height when the cut began (the blocks of the run before it, or the
      // fixture's chain below the first block of the cut).
      const before = report.blocks.filter((b) => b.foundAt * 1000 < cutAt).map((b) => b.height);
      const during = report.blocks.filter((b) => b.foundAt * 1000 >= cutAt && b.foundAt * 1000 < healAt).map((b) => b.height);
      const forkHeight = Math.max(0, ...before, ...(during.length > 0 ? [Math.min(...during) - 1] : []));
      const top: [number, number] = [forkHeight, forkHeight];
      for (const b of report.blocks) {
        const at = b.foundAt * 1000;
        if (at < cutAt || at >= healAt) continue;
        const side = sideOfIndex.get(b.miner)!;
        blocks[side]!++;
        top[side] = Math.max(top[side]!, b.height);
      }
      const s = report.summary;
      return {
        sideSizes: [sides[0].length, sides[1].length],
        cutAt: cutAt / 1000,
        healAt: healAt / 1000,
        blocksDuringCut: blocks,
        branchDepths: [top[0] - forkHeight, top[1] - forkHeight],
        linksAcross: across,
        relinkedAfter: relinkedAt === null ? null : (relinkedAt - healAt) / 1000,
        convergedAfter: convergedAt === null ? null : (convergedAt - healAt) / 1000,
        converged: `${s.converged}/${s.nodesAtEnd}`,
        maxReorgDepth: s.maxReorgDepth,
        reorgDepths: s.reorgDepths,
      };
    },
  };
}
