/**
 * @module What a run reports, per block and summarized: time for a block to reach 50/90/99 % of
 * the nodes alive when it was found (and p50/p90/p99 of those over blocks), bytes per node per
 * block (block relay alone, and everything, tx relay included), duplicate block deliveries, stale
 * blocks and reorg depths, the topology formed, and real CPU and memory per simulated node.
 * Everything but `real` is a function of the seed and options (the JSON's deterministic part).
 */
import type { SimOptions } from './sim-options.ts';
import type { SimRecord } from './simulation.ts';

export interface Percentiles {
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
}

export interface BlockReport {
  readonly height: number;
  readonly hash: string;
  readonly miner: number;
  /** Simulated seconds since the start. */
  readonly foundAt: number;
  readonly txs: number;
  readonly bytes: number;
  /** Seconds from found to 50/90/99 % of the nodes alive then (null: never got there). */
  readonly reach50: number | null;
  readonly reach90: number | null;
  readonly reach99: number | null;
  /** Fraction of those nodes that connected it. */
  readonly reached: number;
  /** Its CDF: seconds to reach 0, 5, 10 … 95, 99 and 100 % of those nodes (null: never got there). */
  readonly cdf: readonly (number | null)[];
  readonly stale: boolean;
}

export interface SimReport {
  readonly options: Omit<SimOptions, 'json' | 'html'>;
  readonly summary: {
    readonly blocks: number;
    readonly staleBlocks: number;
    readonly staleRate: number;
    /**
     * The propagation CDF over every (block of the best chain, node alive when it was found) pair:
     * `delays[k]` is the seconds within which k % of those pairs had the block (k = 0…100; null
     * beyond what was ever reached).
     */
    readonly cdf: { readonly delays: readonly (number | null)[]; readonly pairs: number; readonly reached: number };
    /** Over the blocks of the final best chain, seconds of simulated time. */
    readonly reach50: Percentiles;
    readonly reach90: Percentiles;
    readonly reach99: Percentiles;
    /** Every byte sent after the warm-up (tx relay, pings and peer lists included), per node per block found. */
    readonly bytesPerNodePerBlock: number;
    /** Block relay alone (block inventory, getdata, headers, blocks), per node per block found. */
    readonly blockRelayBytesPerNodePerBlock: number;
    /** Mean size of the blocks found (bytes). */
    readonly blockBytes: number;
    readonly txsPerBlock: number;
    /** `block` messages received beyond the first copy each node needed. */
    readonly duplicateBlockDeliveries: number;
    readonly reorgs: number;
    readonly maxReorgDepth: number;
    readonly reorgDepths: Record<string, number>;
    /** Ready peers per node at the end. */
    readonly peers: { readonly min: number; readonly mean: number; readonly max: number; readonly isolated: number };
    /** Nodes whose tip is the best chain's tip at the end. */
    readonly converged: number;
    readonly nodesAtEnd: number;
    readonly nodesJoined: number;
    readonly nodesLeft: number;
    /** Mean fraction of virtual time each node's CPU was busy. */
    readonly cpuBusy: number;
    readonly signatureUs: number;
    readonly signaturesCharged: number;
    readonly realSignatureChecks: number;
    readonly simulatedSeconds: number;
    readonly events: number;
    readonly errors: readonly string[];
    /** Links opened, and ready peers lost by reason. */
    readonly linksOpened: number;
    readonly disconnects: Record<string, number>;
  };
  readonly traffic: Record<string, { bytes: number; messages: number }>;
  readonly blocks: readonly BlockReport[];
  /** Real resources: vary from run to run (left out of determinism). */
  readonly real: {
    readonly wallSeconds: number;
    readonly cpuSeconds: number;
    readonly cpuMsPerNode: number;
    readonly heapMB: number;
    readonly rssMB: number;
    readonly heapKBPerNode: number;
  };
}

export interface RealUsage {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly heapBytes: number;
  readonly rssBytes: number;
}

/** The value at fraction `q` of sorted `values` (nearest rank); Infinity stands for "never". */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const v = sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  return Number.isFinite(v) ? v : null;
}

const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** The levels of each block's CDF in the report. */
const BLOCK_CDF_LEVELS = [0.001, ...Array.from({ length: 19 }, (_, i) => (i + 1) / 20), 0.99, 1];

export function buildReport(record: SimRecord, real: RealUsage): SimReport {
  const { found, arrivals, options } = record;
  const byHash = new Map(found.map((b) => [b.hash, b]));
  // The best chain: the highest tip any node holds at the end (all blocks weigh the same on the
  // simulated chain; a tie goes to the tip more nodes hold), back through the blocks found.
  const tipCounts = new Map<string, number>();
  for (const tip of record.finalTips) tipCounts.set(tip, (tipCounts.get(tip) ?? 0) + 1);
  let bestTip = '';
  let converged = 0;
  const heightOf = (tip: string) => byHash.get(tip)?.height ?? -1;
  for (const [tip, n] of tipCounts) if (!bestTip || heightOf(tip) > heightOf(bestTip) || (heightOf(tip) === heightOf(bestTip) && n > converged)) [bestTip, converged] = [tip, n];
  const main = new Set<string>();
  for (let b = byHash.get(bestTip); b; b = byHash.get(b.prevHash)) main.add(b.hash);

  const blocks: BlockReport[] = found.map((b) => {
    const at = arrivals.get(b.hash) ?? new Map<number, number>();
    const times = b.aliveAtFound.map((i) => at.get(i)).map((t) => (t === undefined ? Infinity : (t - b.foundAt) / 1000));
    times.sort((x, y) => x - y);
    const reached = times.filter(Number.isFinite).length / Math.max(1, times.length);
    const reach = (q: number) => {
      const v = percentile(times, q);
      return v === null ? null : round(v);
    };
    return {
      height: b.height,
      hash: b.hash,
      miner: b.miner,
      foundAt: round(b.foundAt / 1000),
      txs: b.txs,
      bytes: b.bytes,
      reach50: reach(0.5),
      reach90: reach(0.9),
      reach99: reach(0.99),
      reached: round(reached, 4),
      cdf: BLOCK_CDF_LEVELS.map(reach),
      stale: !main.has(b.hash),
    };
  });
  // Every (best-chain block, node) delay, pooled.
  const pooled: number[] = [];
  for (const b of found) {
    if (!main.has(b.hash)) continue;
    const at = arrivals.get(b.hash) ?? new Map<number, number>();
    for (const i of b.aliveAtFound) {
      const t = at.get(i);
      pooled.push(t === undefined ? Infinity : (t - b.foundAt) / 1000);
    }
  }
  pooled.sort((x, y) => x - y);
  const cdf = {
    delays: Array.from({ length: 101 }, (_, k) => {
      const v = k === 0 ? (pooled.length && Number.isFinite(pooled[0]!) ? pooled[0]! : null) : percentile(pooled, k / 100);
      return v === null ? null : round(v);
    }),
    pairs: pooled.length,
    reached: round(pooled.filter(Number.isFinite).length / Math.max(1, pooled.length), 4),
  };
  const onMain = blocks.filter((b) => !b.stale);
  const over = (key: 'reach50' | 'reach90' | 'reach99'): Percentiles => {
    const values = onMain.map((b) => b[key] ?? Infinity).sort((x, y) => x - y);
    return { p50: percentile(values, 0.5), p90: percentile(values, 0.9), p99: percentile(values, 0.99) };
  };
  const n = Math.max(1, found.length);
  const nodes = options.nodes;
  const deliveries = found.reduce((sum, b) => sum + Math.max(0, (arrivals.get(b.hash)?.size ?? 0) - 1), 0);
  const depths: Record<string, number> = {};
  for (const d of record.reorgDepths) depths[d] = (depths[d] ?? 0) + 1;
  const peers = record.peerCounts;
  const totalNodes = record.nodes.length;
  const busy = record.nodes.reduce((sum, node) => sum + node.host.cpuMs / Math.max(1, record.endMs - node.startedAt), 0) / Math.max(1, totalNodes);
  const { json: _json, html: _html, ...reportedOptions } = options;
  return {
    options: { ...reportedOptions, sigUs: round(record.signatureMs * 1000, 1) },
    summary: {
      blocks: found.length,
      staleBlocks: blocks.length - onMain.length,
      staleRate: round((blocks.length - onMain.length) / n, 4),
      cdf,
      reach50: over('reach50'),
      reach90: over('reach90'),
      reach99: over('reach99'),
      bytesPerNodePerBlock: Math.round((record.traffic.totalBytes() - record.warmupBytes) / nodes / n),
      blockRelayBytesPerNodePerBlock: Math.round((record.traffic.blockRelayBytes() - record.warmupBlockBytes) / nodes / n),
      blockBytes: Math.round(found.reduce((sum, b) => sum + b.bytes, 0) / n),
      txsPerBlock: round(found.reduce((sum, b) => sum + b.txs, 0) / n, 1),
      duplicateBlockDeliveries: Math.max(0, record.traffic.messagesOf('block') - deliveries),
      reorgs: record.reorgDepths.length,
      maxReorgDepth: record.reorgDepths.reduce((a, b) => Math.max(a, b), 0),
      reorgDepths: depths,
      peers: {
        min: peers.reduce((a, b) => Math.min(a, b), Infinity),
        mean: round(peers.reduce((a, b) => a + b, 0) / Math.max(1, peers.length), 2),
        max: peers.reduce((a, b) => Math.max(a, b), 0),
        isolated: peers.filter((p) => p === 0).length,
      },
      converged,
      nodesAtEnd: record.finalTips.length,
      nodesJoined: record.joined,
      nodesLeft: record.left,
      cpuBusy: round(busy, 5),
      signatureUs: round(record.signatureMs * 1000, 1),
      signaturesCharged: record.nodes.reduce((sum, node) => sum + node.host.signatures, 0),
      realSignatureChecks: record.verdicts.realChecks,
      simulatedSeconds: round(record.endMs / 1000),
      events: record.events,
      errors: record.errors.slice(0, 20),
      linksOpened: record.linksOpened,
      disconnects: Object.fromEntries([...record.disconnects].sort(([a], [b]) => (a < b ? -1 : 1))),
    },
    traffic: record.traffic.table(),
    blocks,
    real: {
      wallSeconds: round(real.wallSeconds, 1),
      cpuSeconds: round(real.cpuSeconds, 1),
      cpuMsPerNode: round((real.cpuSeconds * 1000) / Math.max(1, totalNodes), 1),
      heapMB: round(real.heapBytes / 2 ** 20, 1),
      rssMB: round(real.rssBytes / 2 ** 20, 1),
      heapKBPerNode: round(real.heapBytes / 1024 / Math.max(1, totalNodes), 1),
    },
  };
}
