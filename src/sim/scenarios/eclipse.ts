/**
 * @module The eclipse scenario (issue 16): the signaling server introduces a victim only to
 * attacker nodes, and hides it from every honest one, for the whole run.
 *
 * What the attackers do, and why: they are real nodes (the same code as everyone) that the
 * server keeps apart with the victim: introduced to each other and to the victim only. So they
 * link, handshake and answer pings as any peer, and they relay nothing new and name no honest peer
 * in their peer lists (mesh introductions) because they hold nothing new and know no honest peer:
 * what an attacker who controls the server and wants the victim on a stale chain does. An
 * attacker linked to honest nodes as well would have to filter what it passes on to get the same
 * effect, and gains nothing by it here. None of them mines (a miner would give itself away).
 *
 * The victim cannot escape: every peer it can learn of (the server's room, the attackers' lists)
 * is an attacker, however often it chooses again. What it can do is say so: its connector's
 * `connectivity().staleTip` (extra-outbound.ts) turns true when no peer brought a new block for 3
 * target spacings. The outcome records whether the victim got honest peers or the best chain, and
 * whether (and from when) it said its tip was stale.
 */
import type { PeerId } from '../../core/index.ts';
import type { ScenarioContext } from '../simulation.ts';
import type { SimReport } from '../sim-report.ts';
import type { ScenarioRun } from './scenario-run.ts';

export interface EclipseOptions {
  /** Attacker nodes (taken from the non-miners); enough to fill the victim's slots by default. */
  readonly attackers: number;
}

export interface EclipseOutcome {
  readonly victim: number;
  readonly attackers: readonly number[];
  /** At the end: the victim's ready peers, how many of them honest, its height and the best chain's. */
  readonly victimPeers: number;
  readonly victimHonestPeers: number;
  readonly victimHeight: number;
  readonly bestHeight: number;
  readonly victimOnBestChain: boolean;
  /** The victim's connector said its tip was stale at the end, and first said so at (simulated seconds; null: never). */
  readonly victimSaysStale: boolean;
  readonly victimStaleFrom: number | null;
  /** Honest nodes (neither victim nor attacker) on the best tip at the end, of those alive. */
  readonly honestConverged: string;
  /** Honest non-miners whose connector said their tip was stale at the end (false alarms). */
  readonly honestSayingStale: number;
}

/** The server shows the victim only attackers (see the module comment). */
export function eclipseScenario(options: EclipseOptions): ScenarioRun<EclipseOutcome> {
  let victim = -1;
  let attackers: number[] = [];
  let staleFrom: number | null = null;
  /** Read just before the run ends (the nodes stop then). */
  const atEnd = { victimTip: '', victimHeight: 0, victimPeers: 0, victimHonestPeers: 0, victimSaysStale: false, honestTips: [] as string[], honestSayingStale: 0 };

  const hook = (ctx: ScenarioContext): void => {
    const miners = new Set(ctx.miners);
    const others = ctx.nodes.map((n) => n.host.index).filter((i) => !miners.has(i));
    if (others.length < options.attackers + 2) throw new RangeError(`eclipse: ${options.attackers} attackers and a victim need ${options.attackers + 2} non-mining nodes, there are ${others.length}`);
    victim = others[0]!;
    attackers = others.slice(1, 1 + options.attackers);
    const v = ctx.nodes[victim]!;
    const attackerIds = new Set<PeerId>(attackers.map((i) => ctx.nodes[i]!.identity.peerId));
    const apart = (id: PeerId) => id === v.identity.peerId || attackerIds.has(id);
    // The victim and the attackers meet only each other, the honest nodes only each other.
    ctx.server.introduces = (joiner, other) => apart(joiner) === apart(other);
    for (let t = ctx.warmupMs; t < ctx.endMs; t += 5_000) {
      ctx.scheduler.at(t, () => {
        if (staleFrom === null && v.host.alive && v.connector.connectivity().staleTip) staleFrom = t;
      });
    }
    ctx.scheduler.at(ctx.endMs - 1, () => {
      const peers = v.network.readyPeerIds();
      atEnd.victimTip = v.node.tip.hash;
      atEnd.victimHeight = v.node.tip.height;
      atEnd.victimPeers = peers.length;
      atEnd.victimHonestPeers = peers.filter((id) => !attackerIds.has(id)).length;
      atEnd.victimSaysStale = v.connector.connectivity().staleTip;
      const honest = ctx.nodes.filter((n) => n.host.alive && !apart(n.identity.peerId));
      atEnd.honestTips = honest.map((n) => n.node.tip.hash);
      atEnd.honestSayingStale = honest.filter((n) => !miners.has(n.host.index) && n.connector.connectivity().staleTip).length;
    });
  };

  return {
    name: 'eclipse',
    hook,
    outcome: (report: SimReport): EclipseOutcome => {
      const main = report.blocks.filter((b) => !b.stale);
      const best = main.reduce((h, b) => Math.max(h, b.height), 0);
      const bestTip = main.find((b) => b.height === best)?.hash;
      return {
        victim,
        attackers,
        victimPeers: atEnd.victimPeers,
        victimHonestPeers: atEnd.victimHonestPeers,
        victimHeight: atEnd.victimHeight,
        bestHeight: best,
        victimOnBestChain: atEnd.victimTip === bestTip,
        victimSaysStale: atEnd.victimSaysStale,
        victimStaleFrom: staleFrom === null ? null : staleFrom / 1000,
        honestConverged: `${atEnd.honestTips.filter((t) => t === bestTip).length}/${atEnd.honestTips.length}`,
        honestSayingStale: atEnd.honestSayingStale,
      };
    },
  };
}
