/**
 * @module Transaction rules. {@link checkTransactionSanity} needs nothing but the tx (Bitcoin's
 * CheckTransaction); {@link checkTransactionInputs} needs the coins it spends (Bitcoin's
 * Consensus::CheckTxInputs) and, last because it is the expensive part, verifies signatures.
 */
import { schnorrVerify, type SignatureJob } from '../crypto/keys.ts';
import { outpointKey, type Coin, type CoinView } from '../coins/coin.ts';
import { txSize, type Transaction } from '../primitives/transaction.ts';
import type { NetworkParams } from './params.ts';
import { accept, reject, type Rejection, type Result } from './rejection.ts';
import { sighashes, type SpentOutput } from './sighash.ts';
import { bytesEqual } from '../encoding/hex.ts';

export const TX_VERSION = 1;

/** Checks that need only the tx itself. Coinbase placement is the block's business. */
export function checkTransactionSanity(tx: Transaction, params: Pick<NetworkParams, 'limits' | 'maxMoney'>): Rejection | undefined {
  if (tx.version !== TX_VERSION) return reject('bad-txns-version', `tx version ${tx.version} is not ${TX_VERSION}`);
  const size = txSize(tx);
  if (size > params.limits.maxTxSize) return reject('bad-txns-oversize', `tx of ${size} bytes is above ${params.limits.maxTxSize}`);
  if (tx.inputs.length > params.limits.maxTxInputs || tx.outputs.length > params.limits.maxTxOutputs) {
    return reject('bad-txns-oversize', 'too many inputs or outputs');
  }
  if (tx.memo.length > params.limits.maxMemoSize) {
    return reject('bad-txns-memo-toolarge', `memo of ${tx.memo.length} bytes is above ${params.limits.maxMemoSize}`);
  }
  // A coinbase may pay nothing (once the subsidy has run out and a block has no fees); any other
  // tx without outputs only burns its inputs.
  if (tx.outputs.length === 0 && tx.inputs.length > 0) return reject('bad-txns-vout-empty', 'tx has no outputs');
  let total = 0n;
  for (const output of tx.outputs) {
    if (output.amount <= 0n) return reject('bad-txns-vout-zero', 'an output amount is not positive');
    if (output.amount > params.maxMoney) return reject('bad-txns-vout-toolarge', 'an output amount is above the money supply');
    total += output.amount;
    if (total > params.maxMoney) return reject('bad-txns-txouttotal-toolarge', 'outputs sum past the money supply');
  }
  const seen = new Set<string>();
  for (const input of tx.inputs) {
    const key = outpointKey(input.prevTxid, input.vout);
    if (seen.has(key)) return reject('bad-txns-inputs-duplicate', `input ${key} is spent twice`);
    seen.add(key);
  }
  return undefined;
}

export interface InputCheck {
  /** Inputs minus outputs. */
  readonly fee: bigint;
  /** The coins spent, in input order. */
  readonly coins: readonly Coin[];
}

/**
 * Checks a non-coinbase tx against the coins it spends, as of a block at `spendHeight`:
 * the inputs exist and are mature, the amounts add up, and every signature verifies.
 * Signatures are checked last and only when `verifySignatures` is true (it is, except in
 * benchmarks that measure the rest).
 */
export function checkTransactionInputs(
  tx: Transaction,
  view: CoinView,
  spendHeight: number,
  params: Pick<NetworkParams, 'maxMoney' | 'coinbaseMaturity' | 'networkId'>,
  verifySignatures = true,
): Result<InputCheck> {
  const coins: Coin[] = [];
  let totalIn = 0n;
  for (const input of tx.inputs) {
    const key = outpointKey(input.prevTxid, input.vout);
    const coin = view.getCoin(key);
    if (!coin) return reject('bad-txns-inputs-missingorspent', `input ${key} is missing or spent`);
    if (coin.coinbase && spendHeight - coin.height < params.coinbaseMaturity) {
      return reject(
        'bad-txns-premature-spend-of-coinbase',
        `coinbase ${key} of height ${coin.height} spent at ${spendHeight}, maturity is ${params.coinbaseMaturity}`,
      );
    }
    if (coin.amount < 0n || coin.amount > params.maxMoney) return reject('bad-txns-inputvalues-outofrange', 'input amount out of range');
    totalIn += coin.amount;
    if (totalIn > params.maxMoney) return reject('bad-txns-inputvalues-outofrange', 'inputs sum past the money supply');
    coins.push(coin);
  }
  let totalOut = 0n;
  for (const output of tx.outputs) totalOut += output.amount;
  if (totalIn < totalOut) return reject('bad-txns-in-belowout', `inputs ${totalIn} are below outputs ${totalOut}`);
  if (verifySignatures) {
    const messages = sighashes(tx, coins, params.networkId);
    for (let i = 0; i < tx.inputs.length; i++) {
      if (!schnorrVerify(tx.inputs[i]!.signature, messages[i]!, coins[i]!.publicKey)) return badSignature(i);
    }
  }
  return accept({ fee: totalIn - totalOut, coins });
}

/**
 * The signature checks {@link checkTransactionInputs} makes, one per input in input order, for
 * callers that verify them later and elsewhere (a pool of workers, a cache): `coins` are the
 * coins it returned.
 */
export function signatureJobs(tx: Transaction, coins: readonly Coin[], networkId: Uint8Array): readonly SignatureJob[] {
  const memo = jobsMemo.get(tx);
  if (memo && sameSpent(memo, coins, networkId)) return memo.jobs;
  const messages = sighashes(tx, coins, networkId);
  const jobs = tx.inputs.map((input, i) => ({ signature: input.signature, message: messages[i]!, publicKey: coins[i]!.publicKey }));
  jobsMemo.set(tx, { networkId, spent: coins.map((c) => ({ amount: c.amount, publicKey: c.publicKey })), jobs });
  return jobs;
}

/**
 * The jobs last made for a tx object, with what their sighashes committed to. A tx checked as it
 * enters the pool is checked again when its block connects; after a compact block it is the same
 * object (rebuilt from the pool), and its sighashes (a tagged hash over the whole tx per input) are
 * not computed twice. The jobs are reused only for the same network and the same amount and key
 * spent by every input: exactly what the sighash commits to besides the tx itself.
 */
const jobsMemo = new WeakMap<Transaction, { readonly networkId: Uint8Array; readonly spent: readonly SpentOutput[]; readonly jobs: readonly SignatureJob[] }>();

function sameSpent(memo: { readonly networkId: Uint8Array; readonly spent: readonly SpentOutput[] }, coins: readonly Coin[], networkId: Uint8Array): boolean {
  if (memo.spent.length !== coins.length || !bytesEqual(memo.networkId, networkId)) return false;
  for (let i = 0; i < coins.length; i++) {
    if (memo.spent[i]!.amount !== coins[i]!.amount || !bytesEqual(memo.spent[i]!.publicKey, coins[i]!.publicKey)) return false;
  }
  return true;
}

/** The rejection of input `index`'s signature, the same whichever path verified it. */
export function badSignature(index: number): Rejection {
  return reject('bad-txns-sig', `input ${index} has a bad signature`);
}
