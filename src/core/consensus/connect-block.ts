/**
 * @module Stage 3 of block validation: applying a block to the coin set (Bitcoin's ConnectBlock,
 * btcd's checkConnectBlock), and undoing it again.
 *
 * Changes go to a fresh {@link CoinCache} layer that is merged into the caller's only when the
 * whole block is valid, so a rejected block changes nothing.
 */
import { CoinCache } from '../coins/coin-cache.ts';
import { outpointKey, type SpentCoin } from '../coins/coin.ts';
import type { Block } from '../primitives/block.ts';
import { txidBytes } from '../primitives/transaction.ts';
import { checkTransactionInputs } from './check-transaction.ts';
import type { NetworkParams } from './params.ts';
import { accept, reject, type Result } from './rejection.ts';
import { blockSubsidy } from './subsidy.ts';

export interface ConnectedBlock {
  /** Coins the block spent, in spending order: the undo data to disconnect it. */
  readonly spent: readonly SpentCoin[];
  readonly fees: bigint;
}

type ConnectParams = Pick<NetworkParams, 'maxMoney' | 'coinbaseMaturity' | 'networkId' | 'initialSubsidy' | 'halvingInterval'>;

/**
 * Spends the block's inputs and adds its outputs to `coins` when every tx is valid at `height`.
 * Outputs become spendable by later txs of the same block, never by earlier ones.
 */
export function connectBlock(
  block: Block,
  height: number,
  coins: CoinCache,
  params: ConnectParams,
  verifySignatures = true,
): Result<ConnectedBlock> {
  const layer = new CoinCache(coins);
  const spent: SpentCoin[] = [];
  // Coins created and spent within this block are not undo data: disconnecting removes neither.
  const createdHere = new Set<string>();
  let fees = 0n;
  for (let i = 0; i < block.txs.length; i++) {
    const tx = block.txs[i]!;
    if (i > 0) {
      const checked = checkTransactionInputs(tx, layer, height, params, verifySignatures);
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
