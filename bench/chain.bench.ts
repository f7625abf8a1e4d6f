/**
 * Chain.processBlocks throughput with a MemoryChainStore: the same 500 empty (coinbase-only) test
 * network blocks handed to a fresh chain in batches of 50, and one by one.
 *
 * Each timed call starts from a fresh store and chain (opened outside the timed part) and fresh
 * block objects decoded from bytes (also outside), so no txid or other memo carries over.
 */
import { Chain, MemoryChainStore, decodeBlock, encodeBlock, regtestParams, type Block, type BlockOutcome } from '../src/core/index.ts';
import { ChainBuilder, ManualClock } from '../src/core/testing/chain-builder.ts';
import { asyncCase, compare, formatNumber, formatRatio, isMain, pairedRatio, printTable, type Measurement } from './harness.ts';

const BLOCK_COUNT = 500;
const BATCH_SIZE = 50;

interface State {
  readonly chain: Chain;
  readonly blocks: readonly Block[];
}

function checkOutcomes(outcomes: readonly BlockOutcome[]): void {
  for (const o of outcomes) if (o.status !== 'connected') throw new Error(`benchmark block ${o.hash} was ${o.status}, not connected`);
}

export async function run(): Promise<Measurement[]> {
  const builder = new ChainBuilder(regtestParams);
  const built = builder.extend(builder.genesis, BLOCK_COUNT);
  const encoded = built.map((b) => encodeBlock(b.block));
  // The clock stands at the last block's time, so no block is too far in the future.
  const clock = new ManualClock(built[built.length - 1]!.block.header.time);

  const setup = async (): Promise<State> => ({
    chain: await Chain.open({ params: regtestParams, store: new MemoryChainStore(), clock }),
    blocks: encoded.map((bytes) => decodeBlock(bytes, regtestParams.limits)),
  });
  const finish = (chain: Chain): void => {
    if (chain.height !== BLOCK_COUNT) throw new Error(`chain reached height ${chain.height}, not ${BLOCK_COUNT}`);
  };

  const [batched, single] = (await compare(
    [
      asyncCase<State>({
        name: `processBlocks, batches of ${BATCH_SIZE}`,
        unit: 'block',
        opsPerCall: BLOCK_COUNT,
        setup,
        body: async ({ chain, blocks }) => {
          for (let i = 0; i < blocks.length; i += BATCH_SIZE) checkOutcomes(await chain.processBlocks(blocks.slice(i, i + BATCH_SIZE)));
          finish(chain);
        },
      }),
      asyncCase<State>({
        name: 'processBlock, one by one',
        unit: 'block',
        opsPerCall: BLOCK_COUNT,
        setup,
        body: async ({ chain, blocks }) => {
          for (const block of blocks) checkOutcomes([await chain.processBlock(block)]);
          finish(chain);
        },
      }),
    ],
    { rounds: 5, roundMs: 300 },
  )) as [Measurement, Measurement];

  printTable(
    `chain: ${BLOCK_COUNT} empty blocks into a fresh Chain + MemoryChainStore`,
    [batched, single],
    [
      `batched / one-by-one = ${formatRatio(pairedRatio(batched, single))}  (median of per-round ratios; above 1: batching helps)`,
      `store writes: ${BLOCK_COUNT / BATCH_SIZE} batched vs ${BLOCK_COUNT} one by one; per block ${formatNumber(1e6 / batched.opsPerSec)} µs vs ${formatNumber(1e6 / single.opsPerSec)} µs`,
    ],
    ['empty blocks: this measures the chain machinery (stages 1–3, tree, fork choice, store write), not signature checks'],
  );
  return [batched, single];
}

if (isMain(import.meta.url)) await run();
