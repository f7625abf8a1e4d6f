/**
 * @module Choosing which coins pay for a payment, and what fee and change that leaves.
 *
 * Confirmed coins go first (a tx spending only confirmed coins cannot be dropped because a parent
 * was), then unconfirmed ones (in practice the wallet's own change), each group largest first so
 * payments use few inputs. Selection stops at the first prefix that covers amount + fee, where
 * the fee is exact: it follows from the tx layout (so from the input count and from whether a
 * change output is present). Change worth less than the fee to spend it later is not created:
 * it goes to the fee instead.
 */
import { varintSize } from '../encoding/byte-writer.ts';
import type { OutpointKey } from '../coins/coin.ts';
import { INPUT_SIZE, OUTPUT_SIZE } from '../primitives/transaction.ts';
import type { CodecLimits } from '../primitives/limits.ts';
import { formatCoins } from './parse-amount.ts';
import { WalletError } from './wallet-error.ts';

export interface SelectableCoin {
  readonly key: OutpointKey;
  readonly amount: bigint;
  /** In a block (unconfirmed coins are outputs of mempool txs). */
  readonly confirmed: boolean;
}

export interface CoinSelectionRequest<C extends SelectableCoin> {
  /** Spendable coins only: the caller leaves out immature coinbases and coins pending txs spend. */
  readonly coins: readonly C[];
  /** What the payment outputs receive in total, base units. */
  readonly amount: bigint;
  /** Payment outputs (usually 1); a change output may come on top. */
  readonly outputs: number;
  /** Base units per byte, at least 1. With `fee`, the minimum rate that fee must meet. */
  readonly feeRate: bigint;
  /** An absolute fee instead of one from `feeRate` (it may grow by change too small to keep). */
  readonly fee?: bigint;
  /** Memo length in bytes. */
  readonly memoSize: number;
  /** Size limits of the network; without them a tx may be selected that no node would relay. */
  readonly limits?: Pick<CodecLimits, 'maxTxSize' | 'maxTxInputs'>;
}

export interface CoinSelection<C extends SelectableCoin> {
  /** The coins to spend, in input order. */
  readonly inputs: C[];
  /** Inputs minus outputs. */
  readonly fee: bigint;
  /** The change output's amount; 0 means no change output. */
  readonly change: bigint;
}

/** Bytes of a (non-coinbase) tx with this many inputs, outputs and memo bytes. */
export function paymentSize(inputs: number, outputs: number, memoSize: number): number {
  return 4 + varintSize(inputs) + inputs * INPUT_SIZE + varintSize(outputs) + outputs * OUTPUT_SIZE + varintSize(memoSize) + memoSize;
}

/** Confirmed first, then largest first; the key breaks ties so the choice is deterministic. */
function spendOrder(a: SelectableCoin, b: SelectableCoin): number {
  if (a.confirmed !== b.confirmed) return a.confirmed ? -1 : 1;
  if (a.amount !== b.amount) return a.amount > b.amount ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * Picks the inputs of a payment. Throws WalletError: 'bad-amount' (amount ≤ 0),
 * 'fee-too-low' (feeRate < 1, or `fee` below feeRate × size), 'insufficient-funds'.
 */
export function selectCoins<C extends SelectableCoin>(request: CoinSelectionRequest<C>): CoinSelection<C> {
  const { amount, outputs, feeRate, fee: fixedFee, memoSize } = request;
  if (!Number.isInteger(outputs) || outputs < 1) throw new RangeError('a payment has at least one output');
  if (!Number.isInteger(memoSize) || memoSize < 0) throw new RangeError('the memo size is a byte count');
  if (amount <= 0n) throw new WalletError('bad-amount', 'the amount must be above zero');
  if (feeRate < 1n) throw new WalletError('fee-too-low', `the fee rate must be at least 1 base unit per byte, not ${feeRate}`);
  if (fixedFee !== undefined && fixedFee < 0n) throw new WalletError('fee-too-low', 'the fee cannot be negative');

  // Change below what spending it would cost (one input at this rate) would be lost anyway.
  const dust = feeRate * BigInt(INPUT_SIZE);
  const limits = request.limits;
  const sorted = [...request.coins].sort(spendOrder);
  let total = 0n;
  let tooLarge = false;
  for (let n = 1; n <= sorted.length; n++) {
    const size = paymentSize(n, outputs, memoSize);
    if (limits && (n > limits.maxTxInputs || size > limits.maxTxSize)) {
      tooLarge = true;
      break;
    }
    total += sorted[n - 1]!.amount;
    const sizeWithChange = paymentSize(n, outputs + 1, memoSize);
    const feeAlone = fixedFee ?? feeRate * BigInt(size);
    const feeWithChange = fixedFee ?? feeRate * BigInt(sizeWithChange);
    if (total < amount + feeAlone) continue;
    const inputs = sorted.slice(0, n);
    const change = total - amount - feeWithChange;
    const withChange = change > 0n && change >= dust && (!limits || sizeWithChange <= limits.maxTxSize);
    const result: CoinSelection<C> = withChange ? { inputs, fee: feeWithChange, change } : { inputs, fee: total - amount, change: 0n };
    const finalSize = withChange ? sizeWithChange : size;
    if (result.fee < feeRate * BigInt(finalSize)) {
      // Only a fixed fee gets here; more inputs would only make the tx larger.
      throw new WalletError(
        'fee-too-low',
        `a fee of ${formatCoins(result.fee)} is below the minimum ${formatCoins(feeRate * BigInt(finalSize))} for this ${finalSize}-byte tx`,
      );
    }
    return result;
  }

  const available = sorted.reduce((sum, coin) => sum + coin.amount, 0n);
  const needed = amount + (fixedFee ?? feeRate * BigInt(paymentSize(Math.max(sorted.length, 1), outputs, memoSize)));
  if (tooLarge && available >= needed) {
    throw new WalletError(
      'insufficient-funds',
      `${formatCoins(amount)} cannot be sent in one tx: it would need more inputs than a tx may hold (${formatCoins(available)} available in ${sorted.length} coins); send a smaller amount first, to yourself, to merge coins`,
    );
  }
  throw new WalletError('insufficient-funds', `insufficient funds: ${formatCoins(available)} available, ${formatCoins(needed)} needed including the fee`);
}
