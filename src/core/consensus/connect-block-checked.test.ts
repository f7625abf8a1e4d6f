/**
 * The two-phase block path (`connectBlockChecked`: every other check first, then the signatures
 * all at once behind the cache) against the sequential path as it was before issue 15 (copied
 * below, verifying each tx's signatures inline): on random blocks with bad signatures and other
 * failures at random positions, the same ok, code, message, punish and permanent, and on success
 * the same undo data, fees and coin changes, whatever the verifier does (in process, answering
 * chunk by chunk out of order, with a cache that already knows some of the signatures).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CoinCache } from '../coins/coin-cache.ts';
import { outpointKey, type SpentCoin } from '../coins/coin.ts';
import type { SignatureJob } from '../crypto/keys.ts';
import { VerifiedSignatureCache } from '../crypto/verified-signature-cache.ts';
import type { Block } from '../primitives/block.ts';
import { txidBytes } from '../primitives/transaction.ts';
import { prng, SignatureCases } from '../testing/signature-cases.ts';
import { checkTransactionInputs } from './check-transaction.ts';
import { connectBlockChecked, type ConnectedBlock } from './connect-block.ts';
import type { NetworkParams } from './params.ts';
import { accept, reject, type Result } from './rejection.ts';
import { SignatureChecks, verifyInProcess, type VerifyBatch } from './signature-checks.ts';
import { blockSubsidy } from './subsidy.ts';

/** connectBlock as it was before the two-phase path (issue 15), kept verbatim as the reference. */
function sequentialConnectBlock(block: Block, height: number, coins: CoinCache, params: NetworkParams): Result<ConnectedBlock> {
  const layer = new CoinCache(coins);
  const spent: SpentCoin[] = [];
  const createdHere = new Set<string>();
  let fees = 0n;
  for (let i = 0; i < block.txs.length; i++) {
    const tx = block.txs[i]!;
    if (i > 0) {
      const checked = checkTransactionInputs(tx, layer, height, params, true);
      if (!checked.ok) return { ...checked, message: `tx ${i}: ${checked.message}` };
      fees += checked.value.fee;
      tx.inputs.forEach((input, j) => {
        const key = outpointKey(input.prevTxid, input.vout);
        layer.spend(key);
        if (!createdHere.delete(key)) spent.push({ key, ...checked.value.coins[j]! });
      });
    }
    const id = txidBytes(tx);
    tx.outputs.forEach((output, vout) => {
      const key = outpointKey(id, vout);
      createdHere.add(key);
      layer.add(key, { amount: output.amount, publicKey: output.publicKey, height, coinbase: i === 0 });
    });
  }
  const coinbase = block.txs[0]!;
  let paid = 0n;
  for (const output of coinbase.outputs) paid += output.amount;
  const allowed = blockSubsidy(height, params) + fees;
  if (paid > allowed) return reject('bad-cb-amount', `coinbase pays ${paid}, at most ${allowed} is allowed`);
  layer.mergeInto(coins);
  return accept({ spent, fees });
}

const cases = new SignatureCases();

/** Answers in chunks of random sizes that settle in a random order (as a pool's workers do). */
function chunkedVerifier(seed: number): VerifyBatch {
  const rand = prng(seed);
  return async (jobs) => {
    const answers: boolean[] = new Array<boolean>(jobs.length);
    const chunks: Promise<void>[] = [];
    for (let start = 0; start < jobs.length; ) {
      const end = Math.min(jobs.length, start + 1 + Math.floor(rand() * 8));
      const delay = Math.floor(rand() * 5);
      const from = start;
      chunks.push(
        (async () => {
          for (let d = 0; d < delay; d++) await Promise.resolve();
          verifyInProcess(jobs.slice(from, end)).forEach((ok, k) => (answers[from + k] = ok));
        })(),
      );
      start = end;
    }
    await Promise.all(chunks);
    return answers;
  };
}

/** Every signature check of the cases' valid txs (for caches that already know some). */
const validJobs: SignatureJob[] = [];
{
  const recorder = new SignatureChecks(async (jobs) => {
    validJobs.push(...jobs);
    return verifyInProcess(jobs);
  });
  const result = await connectBlockChecked(cases.valid().block, cases.height, cases.coins(), cases.params, recorder);
  if (!result.ok) throw new Error(`the cases' valid txs do not connect: ${result.message}`);
}

function checksFor(kind: number, seed: number): SignatureChecks {
  if (kind === 0) return new SignatureChecks();
  if (kind === 1) return new SignatureChecks(chunkedVerifier(seed));
  const rand = prng(seed ^ 0x5eed);
  const cache = new VerifiedSignatureCache();
  for (const job of validJobs) if (rand() < 0.5) cache.add(job);
  return new SignatureChecks(chunkedVerifier(seed), cache);
}

function coinChanges(coins: CoinCache): unknown {
  return { added: [...coins.added].sort(), spent: [...coins.spent].sort() };
}

async function expectSameAsSequential(seed: number, kind: number, spoilRate: number | 'valid'): Promise<Result<ConnectedBlock>> {
  const c = spoilRate === 'valid' ? cases.valid() : cases.make(seed, spoilRate);
  const seqCoins = cases.coins();
  const expected = sequentialConnectBlock(c.block, c.height, seqCoins, cases.params);
  const coins = cases.coins();
  const actual = await connectBlockChecked(c.block, c.height, coins, cases.params, checksFor(kind, seed));
  const context = `seed ${seed}, verifier ${kind}, spoiled: ${c.spoiled.join('; ') || 'nothing'}`;
  expect(actual, context).toEqual(expected);
  expect(coinChanges(coins), context).toEqual(coinChanges(seqCoins));
  return actual;
}

describe('connectBlockChecked against the sequential connectBlock', () => {
  it('property: the same result on random blocks with bad signatures and other failures at random positions', { timeout: 300_000 }, async () => {
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.integer({ min: 0, max: 2 }), fc.constantFrom(0.05, 0.15, 0.3), async (seed, kind, rate) => {
        const result = await expectSameAsSequential(seed, kind, rate);
        const key = result.ok ? 'ok' : result.code;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      }),
      { numRuns: 60 },
    );
    // The cases reach the outcomes that matter (not all valid, not all one failure).
    expect(outcomes.get('bad-txns-sig')).toBeGreaterThan(0);
    expect([...outcomes.keys()].length).toBeGreaterThan(2);
  });

  it('behavior: every valid block connects with the same undo data, whichever verifier', async () => {
    for (const kind of [0, 1, 2]) {
      const result = await expectSameAsSequential(1000 + kind, kind, 'valid');
      expect(result.ok).toBe(true);
    }
  });
});
