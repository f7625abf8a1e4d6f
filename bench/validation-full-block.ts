/**
 * Full-block validation (issue 15, part 2), run by validation.bench.ts: a regtest block near the
 * size limit (1,699 signed single-input txs, about 250 kB), stage 1 + stage 3, validated
 * - on one thread: the sequential `connectBlock` (each tx's signatures verified inline);
 * - on the verifier pool: `connectBlockChecked` with a `WorkerPoolVerifier` of N worker_threads
 *   (N = os.availableParallelism(), what the headless node runs when it does not mine) and an
 *   empty verified-signature cache every time;
 * - with every signature already in the cache (a block whose txs this node verified in its
 *   mempool);
 * against `schnorrVerify` called directly on one core on the same 1,699 triples. The goal's ratio
 * is pool sigs/s ÷ (N × direct sigs/s) (issue 15: at least 0.8).
 */
import { availableParallelism } from 'node:os';
import {
  CoinCache,
  MapCoinView,
  SignatureChecks,
  VerifiedSignatureCache,
  checkBlockSanity,
  connectBlock,
  connectBlockChecked,
  decodeBlock,
  encodeBlock,
  outpointKey,
  regtestParams,
  schnorrVerify,
  signatureJobs,
  type Block,
  type Coin,
  type OutpointKey,
  type SignatureJob,
} from '../src/core/index.ts';
import { ChainBuilder, type BuiltBlock } from '../src/core/testing/chain-builder.ts';
import { createNodeVerifierWorker } from '../src/adapters/verifier/node-verifier-worker.ts';
import { WorkerPoolVerifier } from '../src/adapters/verifier/worker-pool-verifier.ts';
import { asyncCase, compare, consume, formatNumber, formatRatio, median, printTable, type Measurement } from './harness.ts';

/** Single-input txs of 147 bytes: 1,699 of them and a coinbase fill a 250,000-byte block. */
const TX_COUNT = 1_699;

interface FullBlock {
  readonly block: Block;
  readonly height: number;
  readonly view: MapCoinView;
  readonly jobs: readonly SignatureJob[];
}

/** Two fan-out txs of matured coinbases make 1,699 outputs; the block spends each in its own tx. */
function buildFullBlock(): FullBlock {
  const params = regtestParams;
  const b = new ChainBuilder(params);
  const early = b.extend(b.genesis, params.coinbaseMaturity + 1);
  const halves = [Math.ceil(TX_COUNT / 2), Math.floor(TX_COUNT / 2)];
  const fans = halves.map((n, k) => {
    const funding = b.coinbaseOf(early[k]!);
    return b.spend([funding], Array.from({ length: n }, () => funding.output.amount / BigInt(n + 1)));
  });
  const fanBlock = b.next(early[early.length - 1]!, { txs: fans });
  const spends = fans.flatMap((fan) => fan.outputs.map((o, vout) => b.spend([b.output(fan, vout)], [o.amount - 1_000n])));
  const target = b.next(fanBlock, { txs: spends });

  const chain: BuiltBlock[] = [];
  for (let x: BuiltBlock | undefined = fanBlock; x && x.height > 0; x = x.parent) chain.unshift(x);
  const coins = new CoinCache(new MapCoinView());
  for (const built of chain) {
    const result = connectBlock(built.block, built.height, coins, params, false);
    if (!result.ok) throw new Error(`fixture block ${built.height} does not connect: ${result.message}`);
  }
  const needed = new Map<OutpointKey, Coin | undefined>();
  const jobs: SignatureJob[] = [];
  for (const tx of target.block.txs.slice(1)) {
    const spent = tx.inputs.map((input) => {
      const key = outpointKey(input.prevTxid, input.vout);
      const coin = coins.getCoin(key)!;
      needed.set(key, coin);
      return coin;
    });
    jobs.push(...signatureJobs(tx, spent, params.networkId));
  }
  const sanity = checkBlockSanity(target.block, params);
  if (sanity) throw new Error(`the full block is invalid: ${sanity.message}`);
  return { block: target.block, height: target.height, view: new MapCoinView(needed), jobs };
}

export async function runFullBlock(): Promise<Measurement[]> {
  const fixture = buildFullBlock();
  const bytes = encodeBlock(fixture.block);
  const sigs = fixture.jobs.length;
  const workers = availableParallelism();
  const pool = new WorkerPoolVerifier({ workers: () => workers, createWorker: createNodeVerifierWorker });
  const warm = new VerifiedSignatureCache();
  for (const job of fixture.jobs) warm.add(job);

  const decoded = () => decodeBlock(bytes, regtestParams.limits);
  const check = (result: { ok: boolean; message?: string }) => {
    if (!result.ok) throw new Error(`benchmark block rejected: ${result.message}`);
  };
  const checked = async (block: Block, signatures: SignatureChecks) => {
    if (checkBlockSanity(block, regtestParams)) throw new Error('benchmark block fails stage 1');
    const result = await connectBlockChecked(block, fixture.height, new CoinCache(fixture.view), regtestParams, signatures);
    check(result);
  };

  try {
    const [single, pooled, cached, direct] = await compare(
      [
        {
          name: 'one thread: sanity + connectBlock',
          unit: 'block',
          fn: () => {
            const block = decoded();
            if (checkBlockSanity(block, regtestParams)) throw new Error('benchmark block fails stage 1');
            check(connectBlock(block, fixture.height, new CoinCache(fixture.view), regtestParams));
          },
        },
        asyncCase({
          name: `pool of ${workers}: sanity + connectBlockChecked`,
          unit: 'block',
          setup: decoded,
          body: (block) => checked(block, new SignatureChecks((jobs) => pool.verify(jobs), new VerifiedSignatureCache())),
        }),
        asyncCase({
          name: 'every signature cached (verified in the mempool)',
          unit: 'block',
          setup: decoded,
          body: (block) => checked(block, new SignatureChecks((jobs) => pool.verify(jobs), warm)),
        }),
        {
          name: `schnorrVerify direct, one core (${sigs})`,
          unit: 'verify',
          opsPerCall: sigs,
          fn: () => {
            for (const t of fixture.jobs) consume(schnorrVerify(t.signature, t.message, t.publicKey));
          },
        },
      ],
      { rounds: 3, roundMs: 200, warmupMs: 200 },
    );
    // CPU time of the whole process (every thread): what a signature costs on the pool, whatever
    // share of the cores a busy machine leaves it. Wall time can show the parallelism only when
    // the cores are free; this shows the pool's own overhead in any case.
    const cpuOf = async (fn: () => unknown): Promise<{ cpu: number; wall: number }> => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await fn();
      const c = process.cpuUsage(c0);
      return { cpu: (c.user + c.system) / 1000, wall: performance.now() - t0 };
    };
    const poolCpu = await cpuOf(() => checked(decoded(), new SignatureChecks((jobs) => pool.verify(jobs), new VerifiedSignatureCache())));
    const directCpu = await cpuOf(() => {
      for (const t of fixture.jobs) consume(schnorrVerify(t.signature, t.message, t.publicKey));
    });
    const perRound = (f: (r: number) => number) => median(direct!.roundRates.map((_, r) => f(r)));
    const poolRatio = perRound((r) => (pooled!.roundRates[r]! * sigs) / (workers * direct!.roundRates[r]!));
    const singleRatio = perRound((r) => (single!.roundRates[r]! * sigs) / direct!.roundRates[r]!);
    const speedUp = perRound((r) => pooled!.roundRates[r]! / single!.roundRates[r]!);
    printTable(
      `validation: full block, ${sigs} signed txs (${formatNumber(bytes.length / 1024)} KiB), ${workers} verifier workers (worker_threads)`,
      [single!, pooled!, cached!, direct!],
      [
        `pool sig checks/s                     = ${formatNumber(pooled!.opsPerSec * sigs)} /s (one block in ${formatNumber(1000 / pooled!.opsPerSec)} ms)`,
        `one thread sig checks/s               = ${formatNumber(single!.opsPerSec * sigs)} /s (one block in ${formatNumber(1000 / single!.opsPerSec)} ms)`,
        `pool / (workers × direct)             = ${formatRatio(poolRatio)}  (issue 15 goal ≥ 0.8; median of per-round ratios)`,
        `one thread / direct                   = ${formatRatio(singleRatio)}`,
        `pool / one thread                     = ${formatRatio(speedUp)}`,
        `cached block                          = ${formatNumber(1000 / cached!.opsPerSec)} ms a block`,
        `pool CPU / direct CPU per signature   = ${formatRatio(poolCpu.cpu / directCpu.cpu)}  (one more block each, process CPU time of all threads; 1 = the pool adds nothing per signature)`,
        `pool CPU / wall                       = ${formatRatio(poolCpu.cpu / poolCpu.wall)}  (cores the pool really had; at most ${workers})`,
      ],
      [
        'every iteration decodes the block from bytes; the pool case starts from an empty signature cache every time',
        `workers = os.availableParallelism() = ${workers}; on a busy machine other processes share those cores`,
      ],
    );
    return [single!, pooled!, cached!, direct!];
  } finally {
    pool.dispose();
  }
}
