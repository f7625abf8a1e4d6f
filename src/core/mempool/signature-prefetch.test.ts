/**
 * A burst of txs entering the mempool has its signatures verified together (signature-prefetch.ts),
 * with the same verdicts as one tx at a time.
 */
import { describe, expect, it } from 'vitest';
import { Chain } from '../chain/chain.ts';
import { MemoryChainStore } from '../chain/memory-chain-store.ts';
import { regtestParams } from '../consensus/networks.ts';
import { SignatureChecks, verifyInProcess } from '../consensus/signature-checks.ts';
import type { SignatureJob } from '../crypto/keys.ts';
import type { Transaction } from '../primitives/transaction.ts';
import { ChainBuilder, ManualClock } from '../testing/chain-builder.ts';
import { Mempool } from './mempool.ts';

const TXS = 12;

/** A chain whose tip holds TXS spendable outputs, txs spending each (the one at `bad` with a bad signature), and a mempool on it. */
async function setUp(bad: number) {
  const b = new ChainBuilder();
  const clock = new ManualClock(regtestParams.genesis.header.time + 100_000);
  const chain = await Chain.open({ params: regtestParams, store: new MemoryChainStore(), clock });
  const early = b.extend(b.genesis, regtestParams.coinbaseMaturity);
  const funding = b.coinbaseOf(early[0]!);
  const share = funding.output.amount / BigInt(TXS + 1);
  const fan = b.spend([funding], Array.from({ length: TXS }, () => share));
  const tip = b.next(early[early.length - 1]!, { txs: [fan] });
  for (const built of [...early, tip]) expect((await chain.processBlock(built.block)).status).toBe('connected');
  const txs: Transaction[] = Array.from({ length: TXS }, (_, vout) => b.spend([b.output(fan, vout)], [share - 10_000n]));
  const spoiled = txs[bad]!.inputs[0]!.signature.slice();
  spoiled[9]! ^= 4;
  txs[bad] = { ...txs[bad]!, inputs: [{ ...txs[bad]!.inputs[0]!, signature: spoiled }] };
  const batches: number[] = [];
  const signatures = new SignatureChecks(async (jobs: readonly SignatureJob[]) => {
    batches.push(jobs.length);
    return verifyInProcess(jobs);
  });
  const mempool = new Mempool({ params: regtestParams, fetchCoins: (k) => chain.getCoins(k), tip: () => chain.tip, clock, signatures });
  return { mempool, txs, batches };
}

describe('Mempool: signatures of a burst', () => {
  it('behavior: txs arriving together are verified in batches larger than one tx, with the verdicts of one at a time', async () => {
    const burst = await setUp(7);
    const together = await Promise.all(burst.txs.map((tx) => burst.mempool.accept(tx)));
    const single = await setUp(7);
    const oneByOne = [];
    for (const tx of single.txs) oneByOne.push(await single.mempool.accept(tx));
    expect(together).toEqual(oneByOne);
    expect(together.filter((r) => !r.ok).map((r) => !r.ok && [r.code, r.message])).toEqual([['bad-txns-sig', 'input 0 has a bad signature']]);
    expect(burst.mempool.size).toBe(TXS - 1);
    // One at a time: one job per verification. Together: the waiting txs' jobs went as one batch.
    expect(single.batches.every((n) => n === 1)).toBe(true);
    expect(Math.max(...burst.batches)).toBeGreaterThan(1);
    // Each good signature verified once; the bad one again in its own turn (failures are not remembered).
    expect(burst.batches.reduce((a, n) => a + n, 0)).toBe(TXS + 1);
  });
});
