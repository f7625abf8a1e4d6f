/**
 * @module The flooders scenario (issue 16): a share of the nodes (5 % by default, never miners)
 * flood their peers with invalid txs and blocks from the end of the warm-up, in real encodings
 * that only the honest nodes' real validation can refuse:
 *
 * - a tx spending a real, mature and unspent coin (a coinbase on the chain) with a signature
 *   that does not verify (`bad-txns-sig`); where no coin is mature yet, a tx spending one made-up
 *   coin twice (`bad-txns-inputs-duplicate`);
 * - a compact block (a high-bandwidth push, which needs no request) whose header misses its
 *   proof of work;
 * - a compact block on the flooder's tip, mined, whose coinbase claims the wrong height
 *   (`bad-cb-height`).
 *
 * Each flooder sends one of them to each of its ready peers every {@link FLOOD_INTERVAL_MS},
 * in turn, starting at a different kind per flooder. Apart from that a flooder is a real node
 * (it links, handshakes and relays), so the only reason an honest node drops it is what it sends.
 * The honest nodes must ban them (the outcome counts bans by reason and by whom), and block
 * propagation among the honest nodes must stay as it was without them: the outcome measures each
 * block's time to reach 99 % of the honest nodes, and the same scenario with `flood: false` marks
 * the same nodes without flooding, the clean run to compare with.
 */
import {
  encodeMessage,
  encodeTx,
  PROTOCOL_VERSION,
  splitMessage,
  txidBytes,
  type Block,
  type Message,
  type PeerId,
  type Transaction,
} from '../../core/index.ts';
import { compactBlockOf } from '../../core/net/compact-block.ts';
import { resealBlock, unmineHeader } from '../../core/testing/chain-builder.ts';
import type { ScenarioContext } from '../simulation.ts';
import type { SimNode } from '../sim-node.ts';
import { percentile, type SimReport } from '../sim-report.ts';
import type { ScenarioRun } from './scenario-run.ts';

/** Each flooder sends each ready peer one invalid object this often (virtual ms). */
export const FLOOD_INTERVAL_MS = 500;

export interface FloodersOptions {
  /** Share of the nodes that flood (never miners; at least one). */
  readonly share: number;
  /** False: the same nodes are marked but stay honest (the clean run to compare with). */
  readonly flood: boolean;
}

export interface FloodersOutcome {
  readonly flooders: readonly number[];
  /** Invalid objects the flooders sent, by kind. */
  readonly sent: Record<string, number>;
  /** Bans honest nodes put on flooders, by reason; and on honest peers (none in a sound run). */
  readonly floodersBannedFor: Record<string, number>;
  readonly honestBanned: number;
  /** Flooders some honest node banned, of those that flooded anyone. */
  readonly floodersBanned: string;
  /** Links between honest nodes and flooders still ready at the end. */
  readonly linksToFloodersAtEnd: number;
  /**
   * Seconds for each best-chain block to reach 99 % of the honest nodes (the flooders left out:
   * banned, they may never get a block, and they are not whom propagation is for), p50 and p90
   * over blocks; and how many best-chain blocks reached every honest node.
   */
  readonly honestReach99: { readonly p50: number | null; readonly p90: number | null };
  readonly blocksReachingAllHonest: string;
}

const KINDS = ['bad-signature tx', 'compact block without proof of work', 'compact block with a bad coinbase height'] as const;

/** Marks a share of the non-miners as flooders; with `flood`, they flood (see the module comment). */
export function floodersScenario(options: FloodersOptions): ScenarioRun<FloodersOutcome> {
  let flooders: number[] = [];
  const sent: Record<string, number> = {};
  const bannedFor: Record<string, number> = {};
  const bannedFlooders = new Set<number>();
  const flooded = new Set<number>();
  let honestBanned = 0;
  let linksAtEnd = 0;
  /** Block hash → honest node → virtual ms it first connected the block (a reorg connects some again). */
  const arrivals = new Map<string, Map<number, number>>();
  let honestCount = 0;

  const hook = (ctx: ScenarioContext): void => {
    const miners = new Set(ctx.miners);
    const candidates = ctx.nodes.map((n) => n.host.index).filter((i) => !miners.has(i));
    const count = Math.max(1, Math.round(options.share * ctx.nodes.length));
    // Spread over the index range (the nodes join in a random order, so any pick is as good).
    flooders = Array.from({ length: Math.min(count, candidates.length) }, (_, k) => candidates[Math.floor((k * candidates.length) / count)]!);
    const flooderIds = new Map<PeerId, number>(flooders.map((i) => [ctx.nodes[i]!.identity.peerId, i]));
    const honest = ctx.nodes.filter((n) => !flooderIds.has(n.identity.peerId));
    honestCount = honest.length;
    for (const n of honest) {
      n.node.on('block-connected', ({ hash }) => {
        let byNode = arrivals.get(hash);
        if (!byNode) arrivals.set(hash, (byNode = new Map()));
        if (!byNode.has(n.host.index)) byNode.set(n.host.index, ctx.scheduler.now);
      });
      n.network.on('peer-disconnected', ({ id, reason, banned }) => {
        if (!banned) return;
        const flooder = flooderIds.get(id);
        if (flooder === undefined) honestBanned++;
        else {
          bannedFor[reason] = (bannedFor[reason] ?? 0) + 1;
          bannedFlooders.add(flooder);
        }
      });
    }
    if (options.flood) {
      flooders.forEach((index, k) => {
        const flooder = ctx.nodes[index]!;
        let round = k;
        let messageId = 0x40000000;
        const tick = (): void => {
          if (!flooder.host.alive || ctx.scheduler.now >= ctx.endMs) return;
          const kind = round++ % KINDS.length;
          const peers = flooder.network.readyPeerIds();
          void invalidObject(flooder, kind, round).then((message) => {
            const bytes = encodeMessage(message, PROTOCOL_VERSION);
            for (const peer of peers) {
              const chunks = splitMessage(bytes, messageId++);
              if (chunks.every((chunk) => flooder.connector.sendRaw(peer, chunk))) {
                sent[KINDS[kind]!] = (sent[KINDS[kind]!] ?? 0) + 1;
                flooded.add(index);
              }
            }
          });
          ctx.runner.after(flooder.host, FLOOD_INTERVAL_MS, tick);
        };
        ctx.runner.at(flooder.host, ctx.warmupMs, tick);
      });
    }
    ctx.scheduler.at(ctx.endMs - 1, () => {
      for (const n of honest) if (n.host.alive) linksAtEnd += n.network.readyPeerIds().filter((id) => flooderIds.has(id)).length;
    });
  };

  return {
    name: options.flood ? 'flood' : 'flood (clean run)',
    hook,
    outcome: (report: SimReport): FloodersOutcome => {
      const main = report.blocks.filter((b) => !b.stale);
      const reach = main.map((b) => {
        const times = [...(arrivals.get(b.hash)?.values() ?? [])].map((t) => t / 1000 - b.foundAt).sort((x, y) => x - y);
        while (times.length < honestCount) times.push(Infinity);
        return { r99: percentile(times, 0.99) ?? Infinity, all: times.every(Number.isFinite) };
      });
      const r99 = reach.map((r) => r.r99).sort((x, y) => x - y);
      const round = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);
      return {
        flooders,
        sent,
        floodersBannedFor: bannedFor,
        honestBanned,
        floodersBanned: `${bannedFlooders.size}/${flooded.size}`,
        linksToFloodersAtEnd: linksAtEnd,
        honestReach99: { p50: round(percentile(r99, 0.5)), p90: round(percentile(r99, 0.9)) },
        blocksReachingAllHonest: `${reach.filter((r) => r.all).length}/${main.length}`,
      };
    },
  };
}

/** One invalid object of `kind` (see KINDS), built on the flooder's own view of the chain. */
async function invalidObject(flooder: SimNode, kind: number, round: number): Promise<Message> {
  const { node, identity } = flooder;
  if (kind === 0) return { type: 'tx', tx: encodeTx(await badSignatureTx(flooder, round)) };
  const template = node.blockTemplate(identity.publicKey, BigInt(round));
  // The coinbase alone: a compact block the receiver rebuilds with nothing from its pool.
  const block: Block = { header: template.header, txs: template.txs.slice(0, 1) };
  if (kind === 1) {
    const sealed = resealBlock(block, false);
    return compactBlockOf({ header: unmineHeader(sealed.header), txs: sealed.txs }, BigInt(round));
  }
  const coinbase = block.txs[0]!;
  const wrongHeight: Transaction = { ...coinbase, coinbase: { height: coinbase.coinbase!.height + 1, extraNonce: BigInt(round) } };
  return compactBlockOf(resealBlock({ header: block.header, txs: [wrongHeight] }), BigInt(round));
}

/** Spends a mature coinbase of the active chain (nobody spends those in a run) with a signature that does not verify. */
async function badSignatureTx(flooder: SimNode, round: number): Promise<Transaction> {
  const { node, identity } = flooder;
  // The newest coinbase a tx in the next block may spend (older ones may be the fixture's, spent).
  const height = node.tip.height + 1 - node.params.coinbaseMaturity;
  const entry = height >= 1 ? node.chain.entryAt(height) : undefined;
  const funding = entry ? (await node.chain.getBlock(entry.hash))?.txs[0] : undefined;
  const output = { amount: 1000n, publicKey: identity.publicKey };
  const signature = new Uint8Array(64).fill(1);
  if (!funding || !funding.outputs[0]) {
    // Nothing mature yet: one made-up coin spent twice, refused before any coin is looked up.
    const prevTxid = new Uint8Array(32).fill(round & 0xff);
    return { version: 1, inputs: [0, 0].map(() => ({ prevTxid, vout: 0, signature })), outputs: [output], memo: new Uint8Array() };
  }
  return { version: funding.version, inputs: [{ prevTxid: txidBytes(funding), vout: 0, signature }], outputs: [{ ...output, amount: funding.outputs[0].amount / 2n }], memo: new Uint8Array() };
}
