/**
 * @module One simulation run: the funding fixture, the nodes joining, the txs relayed into
 * mempools, the blocks found by the miners as a Poisson process, churn, and what is recorded for
 * the report (when each node connected each block, reorgs, bytes). Same seed and options, same
 * run: every random draw comes from the seed (seeded-random.ts), events run in (time, sequence)
 * order (scheduler.ts).
 */
import { createBlockTemplate, encodeBlock, hashToHex, MemoryChainStore, Node, regtestParams, txid, txSize, type Block, type Transaction } from '../core/index.ts';
import { buildFullBlocks } from '../core/testing/full-blocks.ts';
import { mineHeader } from '../core/testing/chain-builder.ts';
import { Scheduler } from './scheduler.ts';
import { HostRunner } from './sim-host.ts';
import { LinkFabric } from './sim-links.ts';
import { SimNode, type SimWorld } from './sim-node.ts';
import { SimSignalingServer } from './sim-signaling.ts';
import { SharedVerdicts, measureSignatureMs } from './shared-verifier.ts';
import { SharedDecoder } from './shared-decoder.ts';
import { SeededRandom, withSeededGlobals } from './seeded-random.ts';
import { Traffic } from './traffic.ts';
import { buildReport, type SimReport } from './sim-report.ts';
import type { SimOptions } from './sim-options.ts';

/** A block a miner found, and what happened to it. */
export interface FoundBlock {
  readonly hash: string;
  readonly prevHash: string;
  readonly height: number;
  readonly miner: number;
  /** Virtual ms. */
  readonly foundAt: number;
  readonly txs: number;
  readonly bytes: number;
  /** Nodes alive when it was found (the denominator of its reach). */
  readonly aliveAtFound: readonly number[];
}

/** What a run records, for the report. */
export interface SimRecord {
  readonly options: SimOptions;
  readonly signatureMs: number;
  readonly found: FoundBlock[];
  /** Block hash → node index → virtual ms it connected the block. */
  readonly arrivals: Map<string, Map<number, number>>;
  readonly reorgDepths: number[];
  readonly traffic: Traffic;
  /** Bytes sent before the first block's txs (joining, handshakes): left out of per-block figures. */
  warmupBytes: number;
  warmupBlockBytes: number;
  readonly nodes: SimNode[];
  readonly errors: string[];
  readonly verdicts: SharedVerdicts;
  /** Set-up blocks every node started with. */
  readonly preloaded: number;
  endMs: number;
  /** Peer disconnections by reason (both sides count). */
  readonly disconnects: Map<string, number>;
  /** At the end, per node alive: its tip hash and ready peers. */
  finalTips: string[];
  peerCounts: number[];
  events: number;
  linksOpened: number;
  joined: number;
  left: number;
}

/** What a scenario (partition, eclipse, flooders) reaches before the clock starts. */
export interface ScenarioContext {
  readonly scheduler: Scheduler;
  readonly runner: HostRunner;
  /** Partitions (fabric.partition). */
  readonly fabric: LinkFabric;
  /** Who the signaling server introduces to whom (server.introduces). */
  readonly server: SimSignalingServer;
  /** Every node made so far (churn adds more). */
  readonly nodes: readonly SimNode[];
  /** Virtual ms when the warm-up ends and the first block's txs start. */
  readonly warmupMs: number;
  /** Virtual ms each block is found at. */
  readonly blockTimes: readonly number[];
  /** Indexes of the mining nodes (a scenario keeps them honest, or splits them between sides). */
  readonly miners: readonly number[];
  /** Virtual ms the run ends (the nodes stop then: a scenario reads them before). */
  readonly endMs: number;
}

export type Scenario = (context: ScenarioContext) => void;

/** A block's txs are handed out over this long (virtual ms)… */
const TX_SPREAD_MS = 15_000;
/** …ending this long before the block is found: time for the tx relay to reach every node. */
const TX_LEAD_MS = 10_000;
/** After the last block, the run goes on this long for it to spread (virtual ms). */
const TAIL_MS = 60_000;
/** Unix time at virtual 0: fixed (never the real clock), after regtest's genesis. */
const START_UNIX = regtestParams.genesis.header.time + 30 * 86_400;

/** Told every 10 simulated seconds how far the run is (the CLI prints it). */
export type Progress = (simulatedMs: number, endMs: number, events: number) => void;

export async function runSimulation(options: SimOptions, scenario?: Scenario, progress?: Progress): Promise<SimReport> {
  const seed = new SeededRandom(options.seed);
  const globals = seed.fork(1);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const record = await withSeededGlobals(globals, () => simulate(options, seed, scenario, progress));
  const cpu = process.cpuUsage(cpuBefore);
  const memory = process.memoryUsage();
  return buildReport(record, {
    wallSeconds: (performance.now() - started) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    heapBytes: memory.heapUsed,
    rssBytes: memory.rss,
  });
}

async function simulate(options: SimOptions, seed: SeededRandom, scenario: Scenario | undefined, progress: Progress | undefined): Promise<SimRecord> {
  const signatureMs = options.sigUs !== undefined ? options.sigUs / 1000 : measureSignatureMs();
  const scheduler = new Scheduler();
  const runner = new HostRunner(scheduler, { signatureMs, messageMs: options.messageUs / 1000 });
  const traffic = new Traffic();
  const linkRandom = seed.fork(2);
  const plan = seed.fork(3);
  const fabric = new LinkFabric(
    runner,
    { latencyMs: options.latencyMs, jitterMs: options.jitterMs, loss: options.loss, bandwidthMbit: options.bandwidthMbit, setupRoundTrips: 3 },
    linkRandom,
    traffic,
  );
  const errors: string[] = [];
  const verdicts = new SharedVerdicts();
  const world: SimWorld = {
    params: regtestParams,
    runner,
    fabric,
    verdicts,
    decoder: new SharedDecoder(regtestParams.limits),
    server: new SimSignalingServer(runner, seed.fork(4), options.latencyMs),
    random: seed.fork(5),
    startUnix: START_UNIX,
    degree: options.degree,
    protocol: options.protocol,
    connectionBudget: 400,
    errors,
  };

  // The funding fixture: set-up blocks every node starts with, and the signed txs of each block.
  const { preload, txsPerBlock } = fixture(options);
  const base = await baseStore(preload, world);
  const record: SimRecord = {
    options,
    signatureMs,
    found: [],
    arrivals: new Map(),
    reorgDepths: [],
    traffic,
    warmupBytes: 0,
    warmupBlockBytes: 0,
    nodes: [],
    errors,
    verdicts,
    preloaded: preload.length,
    endMs: 0,
    disconnects: new Map(),
    finalTips: [],
    peerCounts: [],
    events: 0,
    linksOpened: 0,
    joined: 0,
    left: 0,
  };

  const addNode = async (joinAt: number): Promise<SimNode> => {
    const sim = await SimNode.create(world, record.nodes.length, base);
    const index = sim.host.index;
    record.nodes.push(sim);
    sim.node.on('block-connected', ({ hash }) => {
      let byNode = record.arrivals.get(hash);
      if (!byNode) record.arrivals.set(hash, (byNode = new Map()));
      if (!byNode.has(index)) byNode.set(index, scheduler.now);
    });
    sim.network.on('peer-disconnected', ({ reason }) => {
      if (scheduler.now < endMs) record.disconnects.set(reason, (record.disconnects.get(reason) ?? 0) + 1);
    });
    sim.node.chain.on('tip-changed', (e) => {
      if (e.disconnected.length > 0) record.reorgDepths.push(e.disconnected.length);
    });
    runner.at(sim.host, joinAt, () => sim.start());
    return sim;
  };
  const warmupMs = options.warmupS * 1000;
  // The blocks' times: a Poisson process after the warm-up.
  const blockTimes: number[] = [];
  for (let k = 0, t = warmupMs; k < options.blocks; k++) blockTimes.push((t += plan.exponential(options.spacingS * 1000)));
  const endMs = blockTimes.at(-1)! + TAIL_MS;
  for (let i = 0; i < options.nodes; i++) await addNode(plan.between(0, warmupMs / 2));

  // Miners: distinct nodes with equal shares of the hash rate.
  const miners = pickDistinct(plan, options.nodes, options.miners);
  const alive = () => record.nodes.filter((n) => n.host.alive);

  // Blocks as a Poisson process. Each block's txs are handed to random nodes over TX_SPREAD_MS
  // ending TX_LEAD_MS before it is found (not before the warm-up ends), so the real tx relay has
  // put them in mempools by then, however short the wait after the block before; and a miner puts
  // in its block only the txs of that block and earlier ones (mineOn; txs no block planned, a
  // scenario's, go in as they come): blocks of --txs txs whose txs are already in mempools, which
  // is what the propagation figures are about.
  const plannedFor = new Map<string, number>();
  for (let k = 0; k < options.blocks; k++) {
    const at = blockTimes[k]!;
    const txs = txsPerBlock[k] ?? [];
    const end = Math.max(warmupMs, at - TX_LEAD_MS);
    const start = Math.max(warmupMs, end - TX_SPREAD_MS);
    for (const tx of txs) {
      plannedFor.set(txid(tx), k);
      const when = plan.between(start, end);
      const pick = plan.next();
      scheduler.at(when, () => {
        const live = alive();
        const target = live[Math.floor(pick * live.length)]!;
        runner.at(target.host, scheduler.now, () => void target.node.submitTx(tx));
      });
    }
    const pick = plan.next();
    scheduler.at(at, () => {
      const live = miners.map((i) => record.nodes[i]!).filter((n) => n.host.alive);
      const miner = live[Math.floor(pick * live.length)];
      if (miner) runner.at(miner.host, scheduler.now, () => void mineOn(miner, record, alive().map((n) => n.host.index), (id) => (plannedFor.get(id) ?? k) <= k));
    });
  }

  // Churn: nodes (never miners) leave as a Poisson process and as many new ones join.
  if (options.churnPerMin > 0) {
    const meanGap = 60_000 / (options.churnPerMin * options.nodes);
    const minerSet = new Set(miners);
    for (let t = warmupMs + plan.exponential(meanGap); t < endMs; t += plan.exponential(meanGap)) {
      const pick = plan.next();
      scheduler.at(t, () => {
        const candidates = alive().filter((n) => !minerSet.has(n.host.index));
        const leaving = candidates[Math.floor(pick * candidates.length)];
        if (!leaving) return;
        leaving.stop();
        record.left++;
        void addNode(scheduler.now).then(() => record.joined++);
      });
    }
  }

  scenario?.({ scheduler, runner, fabric, server: world.server, nodes: record.nodes, warmupMs, blockTimes, miners, endMs });
  scheduler.at(warmupMs, () => {
    record.warmupBytes = traffic.totalBytes();
    record.warmupBlockBytes = traffic.blockRelayBytes();
  });
  if (progress) for (let t = 10_000; t < endMs; t += 10_000) scheduler.at(t, () => progress(t, endMs, scheduler.executed));
  await scheduler.runUntil(endMs);
  record.endMs = endMs;
  record.events = scheduler.executed;
  record.linksOpened = fabric.linksOpened;
  for (const n of alive()) {
    record.finalTips.push(n.node.tip.hash);
    record.peerCounts.push(n.network.readyPeerIds().length);
  }
  for (const n of alive()) n.stop();
  return record;
}

/**
 * Finds a block on the miner's tip and submits it: the real template (a trivial target, so a few
 * hashes), of the pool's txs that `belongs` admits (this block's and earlier blocks' txs).
 */
async function mineOn(miner: SimNode, record: SimRecord, aliveAtFound: number[], belongs: (txid: string) => boolean): Promise<void> {
  const { node } = miner;
  const template = createBlockTemplate({
    params: node.params,
    context: node.chain.nextBlockContext(node.clock.now()),
    select: (maxBytes) => {
      const chosen = node.mempool.selectForBlock(maxBytes);
      const txs = chosen.txs.filter((tx) => belongs(txid(tx)));
      return { txs, fees: txs.reduce((sum, tx) => sum + node.mempool.get(txid(tx))!.fee, 0n), bytes: txs.reduce((sum, tx) => sum + txSize(tx), 0) };
    },
    payTo: miner.identity.publicKey,
  });
  const block: Block = { header: mineHeader(template.header), txs: template.txs };
  const outcome = await miner.node.submitBlock(block);
  if (outcome.status !== 'connected') {
    record.errors.push(`a mined block did not connect: ${outcome.status}`);
    return;
  }
  record.found.push({
    hash: outcome.hash,
    prevHash: hashToHex(block.header.prevHash),
    height: outcome.height,
    miner: miner.host.index,
    foundAt: record.arrivals.get(outcome.hash)?.get(miner.host.index) ?? 0,
    txs: block.txs.length - 1,
    bytes: encodeBlock(block).length,
    aliveAtFound,
  });
}

/** The set-up blocks and each block's txs (none without --txs). */
function fixture(options: SimOptions): { preload: Block[]; txsPerBlock: Transaction[][] } {
  if (options.txs === 0) return { preload: [], txsPerBlock: [] };
  const chain = buildFullBlocks(options.blocks, { params: regtestParams, now: START_UNIX, maxTxsPerBlock: options.txs });
  const setUp = chain.blocks.slice(0, chain.blocks.length - chain.full.length).map((b) => b.block);
  return { preload: setUp, txsPerBlock: chain.full.map((b) => b.block.txs.slice(1)) };
}

/** One store holding the set-up blocks, connected once by a real node: the base every node's store layers on. */
async function baseStore(preload: readonly Block[], world: SimWorld): Promise<MemoryChainStore> {
  const store = new MemoryChainStore();
  const node = await Node.open({ params: world.params, chainStore: store, clock: { now: () => world.startUnix }, signatureVerifier: { verify: async (jobs) => jobs.map((job) => world.verdicts.verdict(job)) } });
  for (const block of preload) {
    const outcome = await node.submitBlock(block);
    if (outcome.status !== 'connected') throw new Error(`the set-up block at ${node.tip.height + 1} did not connect: ${outcome.status}`);
  }
  return store;
}

function pickDistinct(random: SeededRandom, n: number, k: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + random.int(n - i);
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, k).sort((a, b) => a - b);
}
