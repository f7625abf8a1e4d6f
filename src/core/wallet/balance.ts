/**
 * @module The wallet's balance, in the three parts a user needs to tell apart: what it can spend
 * now, what is on its way (unconfirmed), and mined coins that cannot be spent yet.
 */
import type { Coin, OutpointKey } from '../chain/coin.ts';

export interface WalletBalanceInput {
  /** Confirmed coins paying the wallet's keys. */
  readonly coins: readonly (Coin & { readonly key: OutpointKey })[];
  readonly tipHeight: number;
  readonly coinbaseMaturity: number;
  /** True when a pending (mempool) tx spends this coin. */
  readonly spentByPending: (key: OutpointKey) => boolean;
  /** Outputs paying the wallet's keys in pending txs, change included. */
  readonly pendingReceived: bigint;
}

export interface WalletBalance {
  /** Confirmed and spendable: mature, and not spent by a pending tx. */
  readonly confirmed: bigint;
  /** Received by pending txs (change included), not yet in a block. */
  readonly pending: bigint;
  /** Coinbase outputs that the next block could not spend yet. */
  readonly immature: bigint;
}

/** True when a coin cannot be spent in the next block (height tipHeight + 1). Same rule as consensus. */
export function isImmature(coin: Pick<Coin, 'coinbase' | 'height'>, tipHeight: number, coinbaseMaturity: number): boolean {
  return coin.coinbase && tipHeight + 1 - coin.height < coinbaseMaturity;
}

export function walletBalance(input: WalletBalanceInput): WalletBalance {
  let confirmed = 0n;
  let immature = 0n;
  for (const coin of input.coins) {
    if (isImmature(coin, input.tipHeight, input.coinbaseMaturity)) immature += coin.amount;
    else if (!input.spentByPending(coin.key)) confirmed += coin.amount;
  }
  return { confirmed, pending: input.pendingReceived, immature };
}
