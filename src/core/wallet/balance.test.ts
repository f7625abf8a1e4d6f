import { describe, expect, it } from 'vitest';
import type { Coin, OutpointKey } from '../chain/coin.ts';
import { isImmature, walletBalance, type WalletBalanceInput } from './balance.ts';

const key = new Uint8Array(32).fill(7);
let n = 0;
const coin = (amount: bigint, height: number, coinbase = false): Coin & { key: OutpointKey } => ({
  key: `${(n++).toString(16).padStart(64, '0')}:0`,
  amount,
  publicKey: key,
  height,
  coinbase,
});

function balance(overrides: Partial<WalletBalanceInput> & Pick<WalletBalanceInput, 'coins'>) {
  return walletBalance({ tipHeight: 100, coinbaseMaturity: 5, spentByPending: () => false, pendingReceived: 0n, ...overrides });
}

describe('walletBalance', () => {
  it('behavior: an empty wallet has nothing anywhere', () => {
    expect(balance({ coins: [] })).toEqual({ confirmed: 0n, pending: 0n, immature: 0n });
  });

  it('behavior: sums confirmed coins, whatever their age', () => {
    expect(balance({ coins: [coin(10n, 1), coin(20n, 100), coin(30n, 50)] })).toEqual({ confirmed: 60n, pending: 0n, immature: 0n });
  });

  it('behavior: a coinbase is immature until the next block may spend it (tip + 1 − height ≥ maturity)', () => {
    // Tip 100, maturity 5: block 101 may spend coinbases of height ≤ 96.
    const coins = [coin(1n, 96, true), coin(2n, 97, true), coin(4n, 100, true), coin(8n, 97)];
    expect(balance({ coins })).toEqual({ confirmed: 9n, pending: 0n, immature: 6n });
    expect(isImmature({ coinbase: true, height: 96 }, 100, 5)).toBe(false);
    expect(isImmature({ coinbase: true, height: 97 }, 100, 5)).toBe(true);
    expect(isImmature({ coinbase: false, height: 100 }, 100, 5)).toBe(false);
  });

  it('behavior: coins spent by pending txs leave the confirmed balance', () => {
    const coins = [coin(10n, 1), coin(20n, 2), coin(40n, 3)];
    const spent = new Set([coins[1]!.key]);
    expect(balance({ coins, spentByPending: (k) => spent.has(k) }).confirmed).toBe(50n);
  });

  it('behavior: pending is what pending txs pay the wallet, change included', () => {
    // Spending a 100 coin: 60 to someone else, 1 fee, 39 change back.
    const coins = [coin(100n, 1), coin(5n, 2)];
    const result = balance({ coins, spentByPending: (k) => k === coins[0]!.key, pendingReceived: 39n });
    expect(result).toEqual({ confirmed: 5n, pending: 39n, immature: 0n });
  });

  it('behavior: a coinbase matures as the tip advances', () => {
    const coins = [coin(50n, 10, true)];
    expect(balance({ coins, tipHeight: 13 })).toEqual({ confirmed: 0n, pending: 0n, immature: 50n });
    expect(balance({ coins, tipHeight: 14 })).toEqual({ confirmed: 50n, pending: 0n, immature: 0n });
  });

  it('error: an immature coinbase is never counted as spendable, even if a pending tx claims it', () => {
    const coins = [coin(50n, 100, true)];
    expect(balance({ coins, spentByPending: () => true })).toEqual({ confirmed: 0n, pending: 0n, immature: 50n });
  });
});
