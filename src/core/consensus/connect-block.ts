/**
 * @module Stage 3 of block validation: applying a block to the coin set (Bitcoin's ConnectBlock,
 * btcd's checkConnectBlock), and undoing it again.
 *
 * Changes go to a fresh {@link CoinCache} layer that is merged into the caller's only when the
 * whole block is valid, so a rejected block changes nothing.
 */
import { CoinCache } from '../coins/coin-cache.ts';
import { outpointKey, type SpentCoin } from '../coins/coin.ts';
import type { SignatureJob } from '../crypto/keys.ts';
import type { Block } from '../primitives/block.ts';
import { txidBytes, type Transaction } from '../primitives/transaction.ts';
import { badSignature, checkTransactionInputs, signatureJobs, type InputCheck } from './check-transaction.ts';
import type { NetworkParams } from './params.ts';
import { accept, reject, type Rejection, type Result } from './rejection.ts';
import type { SignatureChecks } from './signature-checks.ts';
import { blockSubsidy } from './subsidy.ts';

export interface ConnectedBlock {
  /** Coins the block spent, in spending order: the undo data to disconnect it. */
  readonly spent: readonly SpentCoin[];
  readonly fees: bigint;
}

type ConnectParams = Pick<NetworkParams, 'maxMoney' | 'coinbaseMaturity' | 'networkId' | 'initialSubsidy' | 'halvingInterval'>;

/**
 * Spends the block's inputs and adds its outputs to `coins` when every tx is valid at `height`.
 * Outputs become spendable by later txs of the same block, never by earlier ones. Signatures are
 * verified here, in order, when `verifySignatures` is true (the sequential path; the node uses
 * {@link connectBlockChecked}, which gives the same result).
 */
export function connectBlock(
  block: Block,
  height: number,
  coins: CoinCache,
  params: ConnectParams,
  verifySignatures = true,
): Result<ConnectedBlock> {
  const staged = stageBlock(block, height, coins, params, (tx, view) => checkTransactionInputs(tx, view, height, params, verifySignatures));
  if (staged.failure) return staged.failure;
  staged.layer.mergeInto(coins);
  return accept({ spent: staged.spent, fees: staged.fees });
}

/**
 * {@link connectBlock} in two phases, with the same result: every check but the signatures runs
 * first, collecting the signature checks in (tx, input) order; then `signatures` verifies those
 * its cache does not know, all at once (on a pool of workers). The result is what the sequential
 * path gives: a failure other than a signature at tx j stops the first phase there, so only the
 * signatures of earlier txs are collected and the first of them that fails wins over it; with no
 * such failure the first failing signature wins, else the block connects. `coins` must not change
 * while this runs (activation owns its cache for the whole operation).
 */
export async function connectBlockChecked(
  block: Block,
  height: number,
  coins: CoinCache,
  params: ConnectParams,
  signatures: SignatureChecks,
): Promise<Result<ConnectedBlock>> {
  const jobs: SignatureJob[] = [];
  /** Per job, the tx and input it checks (for the rejection's message). */
  const origins: [tx: number, input: number][] = [];
  const staged = stageBlock(block, height, coins, params, (tx, view, index) => {
    const checked = checkTransactionInputs(tx, view, height, params, false);
    if (checked.ok) {
      signatureJobs(tx, checked.value.coins, params.networkId).forEach((job, input) => {
        jobs.push(job);
        origins.push([index, input]);
      });
    }
    return checked;
  });
  const failed = await signatures.firstFailure(jobs);
  if (failed >= 0) {
    const [tx, input] = origins[failed]!;
    return inTx(tx, badSignature(input));
  }
  if (staged.failure) return staged.failure;
  staged.layer.mergeInto(coins);
  return accept({ spent: staged.spent, fees: staged.fees });
}

interface StagedBlock {
  /** The block's changes, over the caller's coins. */
  readonly layer: CoinCache;
  readonly spent: SpentCoin[];
  readonly fees: bigint;
  /** The first failure, which ended the staging; undefined when the block is valid. */
  readonly failure?: Rejection;
}

/** A failure of tx `index`, as the block reports it. */
function inTx(index: number, rejection: Rejection): Rejection {
  return { ...rejection, message: `tx ${index}: ${rejection.message}` };
}

/**
 * Applies the block to a fresh layer over `coins`, tx by tx, checking each non-coinbase tx's
 * inputs with `checkInputs` (against the layer, so earlier txs' outputs are seen), then the
 * coinbase amount; stops at the first failure.
 */
function stageBlock(
  block: Block,
  height: number,
  coins: CoinCache,
  params: ConnectParams,
  checkInputs: (tx: Transaction, view: CoinCache, index: number) => Result<InputCheck>,
): StagedBlock {
  const layer = new CoinCache(coins);
  const spent: SpentCoin[] = [];
  // Coins created and spent within this block are not undo data: disconnecting removes neither.
  const createdHere = new Set<string>();
  let fees = 0n;
  for (let i = 0; i < block.txs.length; i++) {
    const tx = block.txs[i]!;
    if (i > 0) {
      const checked = checkInputs(tx, layer, i);
      if (!checked.ok) return { layer, spent, fees, failure: inTx(i, checked) };
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
  if (paid > allowed) return { layer, spent, fees, failure: reject('bad-cb-amount', `coinbase pays ${paid}, at most ${allowed} is allowed`) };
  return { layer, spent, fees };
}

/** Reverses {@link connectBlock}: removes the block's outputs and restores the coins it spent. */
export function disconnectBlock(block: Block, spent: readonly SpentCoin[], coins: CoinCache): void {
  for (const tx of block.txs) {
    const id = txidBytes(tx);
    tx.outputs.forEach((_, vout) => coins.remove(outpointKey(id, vout)));
  }
  for (const coin of spent) {
    const { key, ...rest } = coin;
    coins.add(key, rest);
  }
}
