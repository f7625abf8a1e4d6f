/**
 * @module Signatures of txs waiting in a burst (issue 15, part 2). The mempool judges txs one at a
 * time, so each tx alone would be a batch too small for the verifier pool; a tx that arrives while
 * others are being judged has its signature checks computed at once (its coins fetched, its
 * sighashes) and put aside, and the next tx's turn verifies everything put aside in one batch.
 * Nothing here decides anything: the checks only warm the verified-signature cache, and each tx's
 * verdict comes from its own turn as before (a failure is not remembered, so it is found again
 * there). A tx whose coins are not all known yet (a parent still waiting) is left to its turn.
 */
import type { Coin, OutpointKey } from '../coins/coin.ts';
import { outpointKey } from '../coins/coin.ts';
import { signatureJobs } from '../consensus/check-transaction.ts';
import type { SignatureChecks } from '../consensus/signature-checks.ts';
import type { Transaction } from '../primitives/transaction.ts';
import type { MempoolConfig } from './mempool.ts';

export async function prefetchSignatures(
  tx: Transaction,
  signatures: SignatureChecks,
  config: Pick<MempoolConfig, 'fetchCoins' | 'params'>,
  poolCoin: (key: OutpointKey) => Coin | undefined,
): Promise<void> {
  if (tx.inputs.length === 0) return;
  try {
    const keys = tx.inputs.map((input) => outpointKey(input.prevTxid, input.vout));
    const fetched = await config.fetchCoins(keys.filter((key) => !poolCoin(key)));
    const coins: Coin[] = [];
    for (const key of keys) {
      const coin = poolCoin(key) ?? fetched.get(key);
      if (!coin) return;
      coins.push(coin);
    }
    signatures.prefetch(signatureJobs(tx, coins, config.params.networkId));
  } catch {
    // A warm-up that fails changes nothing: the tx is judged in its turn.
  }
}
