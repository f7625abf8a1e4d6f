import { describe, expect, it } from 'vitest';
import type { Coin, OutpointKey } from '../coins/coin.ts';
import { isImmature, isSpendablePending, walletBalance, type PendingOutput, type WalletBalanceInput } from './balance.ts';

const key = new Uint8Array(32).fill(7);
let n = 0;
const coin = (amount: bigint, height: number, coinbase = false): Coin & { key: OutpointKey } => ({
  key: `${(n++).toString(16).padStart(64, '0')}:0`,
  amount,
  publicKey: key,
  height,
  coinbase,
});
const pendingOutput = (amount: bigint, own: boolean): PendingOutput => ({ key: `${(n++).toString(16).padStart(64, 'f')}:1`, amount, own });

function balance(overrides: Partial<WalletBalanceInput> & Pick<WalletBalanceInput, 'coins'>) {
  return walletBalance({ tipHeight: 100, coinbaseMaturity: 5, spentByPending: () => false, pendingOutputs: [], ...overrides });
}

const nothing = { confirmed: 0n, pendingIncoming: 0n, pendingChange: 0n, pending: 0n, immature: 0n, available: 0n };

describe('walletBalance', () => {
  it('behavior: an empty wallet has nothing anywhere', () => {
    expect(balance({ coins: [] })).toEqual(nothing);
  });

  it('behavior: sums confirmed coins, whatever their age', () => {
    expect(balance({ coins: [coin(10n, 1), coin(20n, 100), coin(30n, 50)] })).toEqual({ ...nothing, confirmed: 60n, available: 60n });
  });

  it('behavior: a coinbase is immature until the next block may spend it (tip + 1 − height ≥ maturity)', () => {
    // Tip 100, maturity 5: block 101 may spend coinbases of height ≤ 96.
    const coins = [coin(1n, 96, true), coin(2n, 97, true), coin(4n, 100, true), coin(8n, 97)];
    expect(balance({ coins })).toEqual({ ...nothing, confirmed: 9n, immature: 6n, available: 9n });
    expect(isImmature({ coinbase: true, height: 96 }, 100, 5)).toBe(false);
    expect(isImmature({ coinbase: true, height: 97 }, 100, 5)).toBe(true);
    expect(isImmature({ coinbase: false, height: 100 }, 100, 5)).toBe(false);
  });

  it('behavior: coins spent by pending txs leave the confirmed balance', () => {
    const coins = [coin(10n, 1), coin(20n, 2), coin(40n, 3)];
    const spent = new Set([coins[1]!.key]);
    expect(balance({ coins, spentByPending: (k) => spent.has(k) }).confirmed).toBe(50n);
  });

  it('behavior: the change of our own pending payment is pending change, and available with the confirmed coins', () => {
    // Spending a 100 coin: 60 to someone else, 1 fee, 39 change back.
    const coins = [coin(100n, 1), coin(5n, 2)];
    const change = pendingOutput(39n, true);
    const result = balance({ coins, spentByPending: (k) => k === coins[0]!.key, pendingOutputs: [change] });
    expect(result).toEqual({ confirmed: 5n, pendingIncoming: 0n, pendingChange: 39n, pending: 39n, immature: 0n, available: 44n });
  });

  it('behavior: a pending payment from someone else is pending incoming, not available until a block', () => {
    const coins = [coin(5n, 2)];
    const result = balance({ coins, pendingOutputs: [pendingOutput(12n, false)] });
    expect(result).toEqual({ confirmed: 5n, pendingIncoming: 12n, pendingChange: 0n, pending: 12n, immature: 0n, available: 5n });
  });

  it('behavior: change spent again by a second pending payment counts once: only the newest, unspent change', () => {
    // 100 → pay 30 + change 69 (fee 1); the 69 → pay 20 + change 48 (fee 1).
    const coins = [coin(100n, 1)];
    const first = pendingOutput(69n, true);
    const second = pendingOutput(48n, true);
    const spent = new Set([coins[0]!.key, first.key]);
    const result = balance({ coins, spentByPending: (k) => spent.has(k), pendingOutputs: [first, second] });
    expect(result).toEqual({ confirmed: 0n, pendingIncoming: 0n, pendingChange: 48n, pending: 48n, immature: 0n, available: 48n });
  });

  it('behavior: incoming and change together: pending is their sum, available adds only the change', () => {
    const coins = [coin(50n, 1), coin(7n, 3)];
    const outputs = [pendingOutput(20n, false), pendingOutput(29n, true)];
    const result = balance({ coins, spentByPending: (k) => k === coins[0]!.key, pendingOutputs: outputs });
    expect(result).toEqual({ confirmed: 7n, pendingIncoming: 20n, pendingChange: 29n, pending: 49n, immature: 0n, available: 36n });
  });

  it('behavior: a coinbase matures as the tip advances', () => {
    const coins = [coin(50n, 10, true)];
    expect(balance({ coins, tipHeight: 13 })).toEqual({ ...nothing, immature: 50n });
    expect(balance({ coins, tipHeight: 14 })).toEqual({ ...nothing, confirmed: 50n, available: 50n });
  });

  it('error: an immature coinbase is never counted as spendable, even if a pending tx claims it', () => {
    const coins = [coin(50n, 100, true)];
    expect(balance({ coins, spentByPending: () => true })).toEqual({ ...nothing, immature: 50n });
  });

  it('behavior: isSpendablePending takes only our unspent change', () => {
    const change = pendingOutput(3n, true);
    const incoming = pendingOutput(4n, false);
    expect(isSpendablePending(change, () => false)).toBe(true);
    expect(isSpendablePending(change, () => true)).toBe(false);
    expect(isSpendablePending(incoming, () => false)).toBe(false);
  });
});
