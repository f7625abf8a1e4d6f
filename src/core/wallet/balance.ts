/**
 * @module The wallet's balance, in the parts a user needs to tell apart: what it can spend now,
 * what is on its way (unconfirmed: change of its own payments apart from payments from others),
 * and mined coins that cannot be spent yet. "Available" is Bitcoin Core's trusted balance:
 * confirmed coins plus the change of our own unconfirmed payments (we wrote those txs, so only we
 * could replace them), never unconfirmed coins from others. Coin selection spends exactly that.
 */
import type { Coin, OutpointKey } from '../coins/coin.ts';

/** An output paying the wallet's keys in a pending (pool) tx. */
export interface PendingOutput {
  readonly key: OutpointKey;
  readonly amount: bigint;
  /** The tx spends the wallet's coins: we made it, so this output is our change. */
  readonly own: boolean;
}

export interface WalletBalanceInput {
  /** Confirmed coins paying the wallet's keys. */
  readonly coins: readonly (Coin & { readonly key: OutpointKey })[];
  readonly tipHeight: number;
  readonly coinbaseMaturity: number;
  /** True when a pending (pool) tx spends this outpoint (a confirmed coin or a pending output). */
  readonly spentByPending: (key: OutpointKey) => boolean;
  /** Outputs paying the wallet's keys in pending txs, spent or not. */
  readonly pendingOutputs: readonly PendingOutput[];
}

export interface WalletBalance {
  /** Confirmed and spendable: mature, and not spent by a pending tx. */
  readonly confirmed: bigint;
  /** Unspent outputs to us in pending txs someone else made: they wait for a block. */
  readonly pendingIncoming: bigint;
  /** Unspent outputs to us in pending txs we made (our change): spendable now. */
  readonly pendingChange: bigint;
  /** pendingIncoming + pendingChange: everything on its way. */
  readonly pending: bigint;
  /** Coinbase outputs that the next block could not spend yet. */
  readonly immature: bigint;
  /** What a payment may spend now: confirmed + pendingChange. */
  readonly available: bigint;
}

/** True when a coin cannot be spent in the next block (height tipHeight + 1). Same rule as consensus. */
export function isImmature(coin: Pick<Coin, 'coinbase' | 'height'>, tipHeight: number, coinbaseMaturity: number): boolean {
  return coin.coinbase && tipHeight + 1 - coin.height < coinbaseMaturity;
}

/** True when a payment may spend this pending output: our change, not spent by another pending tx. */
export function isSpendablePending(output: PendingOutput, spentByPending: (key: OutpointKey) => boolean): boolean {
  return output.own && !spentByPending(output.key);
}

export function walletBalance(input: WalletBalanceInput): WalletBalance {
  let confirmed = 0n;
  let immature = 0n;
  for (const coin of input.coins) {
    if (isImmature(coin, input.tipHeight, input.coinbaseMaturity)) immature += coin.amount;
    else if (!input.spentByPending(coin.key)) confirmed += coin.amount;
  }
  let pendingIncoming = 0n;
  let pendingChange = 0n;
  for (const output of input.pendingOutputs) {
    // An output a later pending tx spends is gone already (its value is counted where it went).
    if (input.spentByPending(output.key)) continue;
    if (output.own) pendingChange += output.amount;
    else pendingIncoming += output.amount;
  }
  return { confirmed, pendingIncoming, pendingChange, pending: pendingIncoming + pendingChange, immature, available: confirmed + pendingChange };
}
