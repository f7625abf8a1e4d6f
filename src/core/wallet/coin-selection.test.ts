import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../primitives/limits.ts';
import { paymentSize, selectCoins, type CoinSelectionRequest, type SelectableCoin } from './coin-selection.ts';
import { WalletError } from './wallet-error.ts';

let next = 0;
const coin = (amount: bigint, confirmed = true): SelectableCoin => ({ key: `${(next++).toString(16).padStart(64, '0')}:0`, amount, confirmed });

/** 1 input, 1 output, no memo: 4 + 1 + 100 + 1 + 40 + 1. */
const SIZE_1_1 = 147n;
/** 1 input, 2 outputs (payment + change), no memo. */
const SIZE_1_2 = 187n;

function select(request: Partial<CoinSelectionRequest<SelectableCoin>> & Pick<CoinSelectionRequest<SelectableCoin>, 'coins' | 'amount'>) {
  return selectCoins({ outputs: 1, feeRate: 1n, memoSize: 0, ...request });
}

function walletErrorOf(fn: () => unknown): WalletError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WalletError);
    return e as WalletError;
  }
  throw new Error('expected a WalletError, nothing was thrown');
}

/** The invariants every selection keeps. */
function expectConsistent(request: CoinSelectionRequest<SelectableCoin>, result: ReturnType<typeof selectCoins<SelectableCoin>>) {
  const total = result.inputs.reduce((sum, c) => sum + c.amount, 0n);
  expect(total).toBe(request.amount + result.fee + result.change);
  const outputs = request.outputs + (result.change > 0n ? 1 : 0);
  const size = BigInt(paymentSize(result.inputs.length, outputs, request.memoSize));
  expect(result.fee).toBeGreaterThanOrEqual(request.feeRate * size);
  if (result.change > 0n) {
    expect(result.change).toBeGreaterThanOrEqual(request.feeRate * 100n);
    expect(result.fee).toBe(request.feeRate * size);
  } else {
    // Without change the overpay is less than a change output plus the dust it would have held.
    expect(result.fee).toBeLessThan(request.feeRate * (size + 40n + 100n));
  }
}

describe('paymentSize', () => {
  it('behavior: follows the tx layout, varints included', () => {
    expect(paymentSize(1, 1, 0)).toBe(147);
    expect(paymentSize(1, 2, 0)).toBe(187);
    expect(paymentSize(2, 2, 80)).toBe(4 + 1 + 200 + 1 + 80 + 1 + 80);
    expect(paymentSize(253, 1, 0)).toBe(4 + 3 + 25_300 + 1 + 40 + 1);
    expect(paymentSize(1, 1, 253)).toBe(4 + 1 + 100 + 1 + 40 + 3 + 253);
  });
});

describe('selectCoins', () => {
  it('behavior: an amount that uses a coin exactly makes no change output', () => {
    const c = coin(10_000n);
    const request = { coins: [c], amount: 10_000n - SIZE_1_1, outputs: 1, feeRate: 1n, memoSize: 0 };
    const result = selectCoins(request);
    expect(result).toEqual({ inputs: [c], fee: SIZE_1_1, change: 0n });
    expectConsistent(request, result);
  });

  it('behavior: change of exactly the cost of spending it (feeRate × 100) is kept, and just above too', () => {
    for (const [rate, extra] of [[1n, 0n], [1n, 1n], [3n, 0n], [3n, 1n]] as const) {
      const c = coin(100_000n);
      const change = rate * 100n + extra;
      const request = { coins: [c], amount: 100_000n - rate * SIZE_1_2 - change, outputs: 1, feeRate: rate, memoSize: 0 };
      const result = selectCoins(request);
      expect(result).toEqual({ inputs: [c], fee: rate * SIZE_1_2, change });
      expectConsistent(request, result);
    }
  });

  it('behavior: change one unit below the cost of spending it goes to the fee', () => {
    for (const rate of [1n, 3n]) {
      const c = coin(100_000n);
      const dustChange = rate * 100n - 1n;
      const request = { coins: [c], amount: 100_000n - rate * SIZE_1_2 - dustChange, outputs: 1, feeRate: rate, memoSize: 0 };
      const result = selectCoins(request);
      expect(result).toEqual({ inputs: [c], fee: rate * SIZE_1_2 + dustChange, change: 0n });
      expectConsistent(request, result);
    }
  });

  it('behavior: a remainder too small for a change output goes to the fee', () => {
    const c = coin(10_000n);
    const result = select({ coins: [c], amount: 10_000n - SIZE_1_1 - 30n });
    expect(result).toEqual({ inputs: [c], fee: SIZE_1_1 + 30n, change: 0n });
  });

  it('behavior: takes the largest coins first and stops as soon as they cover amount + fee', () => {
    const coins = [coin(1_000n), coin(50_000n), coin(20_000n), coin(30_000n)];
    const result = select({ coins, amount: 60_000n });
    expect(result.inputs.map((c) => c.amount)).toEqual([50_000n, 30_000n]);
    expect(result.fee).toBe(BigInt(paymentSize(2, 2, 0)));
    expect(result.change).toBe(80_000n - 60_000n - result.fee);
  });

  it('behavior: many small coins, across the 253-input varint step, pay for every byte', () => {
    const coins = Array.from({ length: 400 }, () => coin(1_000n));
    const request = { coins, amount: 260_000n, outputs: 1, feeRate: 1n, memoSize: 0 };
    const result = selectCoins(request);
    expectConsistent(request, result);
    // 900 net per input under 253 inputs; the varint grows by 2 bytes at 253.
    expect(result.inputs.length).toBeGreaterThan(253);
    expect(result.fee).toBeGreaterThanOrEqual(BigInt(paymentSize(result.inputs.length, 1, 0)));
    const fewer = result.inputs.length - 1;
    expect(BigInt(fewer) * 1_000n).toBeLessThan(260_000n + BigInt(paymentSize(fewer, 1, 0)));
  });

  it('behavior: the memo and extra payment outputs are paid for', () => {
    const request = { coins: [coin(100_000n)], amount: 1_000n, outputs: 3, feeRate: 2n, memoSize: 80 };
    const result = selectCoins(request);
    expect(result.fee).toBe(2n * BigInt(paymentSize(1, 4, 80)));
    expectConsistent(request, result);
  });

  it('behavior: unconfirmed coins are used only when the confirmed ones are not enough', () => {
    const big = coin(1_000_000n, false);
    const coins = [big, coin(5_000n), coin(3_000n)];
    expect(select({ coins, amount: 4_000n }).inputs.map((c) => c.amount)).toEqual([5_000n]);
    expect(select({ coins, amount: 7_000n }).inputs.map((c) => c.amount)).toEqual([5_000n, 3_000n]);
    expect(select({ coins, amount: 9_000n }).inputs).toEqual([coins[1], coins[2], big]);
  });

  it('behavior: a fixed fee is used as is, and change too small to keep is added to it', () => {
    const c = coin(100_000n);
    expect(select({ coins: [c], amount: 50_000n, fee: 1_000n })).toEqual({ inputs: [c], fee: 1_000n, change: 49_000n });
    expect(select({ coins: [c], amount: 98_950n, fee: 1_000n })).toEqual({ inputs: [c], fee: 1_050n, change: 0n });
    expect(select({ coins: [c], amount: 100_000n - SIZE_1_1, fee: SIZE_1_1 })).toEqual({ inputs: [c], fee: SIZE_1_1, change: 0n });
  });

  it('behavior: the fee always covers feeRate × size (property)', () => {
    const arbitraryCoin = fc.record({ amount: fc.bigInt({ min: 1n, max: 10_000_000n }), confirmed: fc.boolean() });
    fc.assert(
      fc.property(
        fc.array(arbitraryCoin, { maxLength: 60 }),
        fc.bigInt({ min: 1n, max: 50_000_000n }),
        fc.bigInt({ min: 1n, max: 50n }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 80 }),
        (raw, amount, feeRate, outputs, memoSize) => {
          const coins = raw.map((c) => coin(c.amount, c.confirmed));
          const request = { coins, amount, feeRate, outputs, memoSize };
          let result;
          try {
            result = selectCoins(request);
          } catch (e) {
            expect((e as WalletError).code).toBe('insufficient-funds');
            // No prefix of the spend order (confirmed first, largest first) could have paid.
            const order = [...coins].sort((a, b) => (a.confirmed !== b.confirmed ? (a.confirmed ? -1 : 1) : a.amount > b.amount ? -1 : a.amount < b.amount ? 1 : 0));
            let total = 0n;
            order.forEach((c, i) => {
              total += c.amount;
              expect(total).toBeLessThan(amount + feeRate * BigInt(paymentSize(i + 1, outputs, memoSize)));
            });
            return;
          }
          expectConsistent(request, result);
          // Confirmed before unconfirmed, largest first within each, and no input more than needed.
          const inputs = result.inputs;
          for (let i = 1; i < inputs.length; i++) {
            const [a, b] = [inputs[i - 1]!, inputs[i]!];
            expect(a.confirmed === b.confirmed ? a.amount >= b.amount : a.confirmed).toBe(true);
          }
          const unused = coins.filter((c) => !inputs.includes(c));
          if (inputs.some((c) => !c.confirmed)) expect(unused.filter((c) => c.confirmed)).toEqual([]);
          const smallest = inputs[inputs.length - 1]!;
          for (const c of unused) if (c.confirmed === smallest.confirmed) expect(c.amount).toBeLessThanOrEqual(smallest.amount);
          const without = inputs.slice(0, -1).reduce((sum, c) => sum + c.amount, 0n);
          expect(without).toBeLessThan(amount + feeRate * BigInt(paymentSize(inputs.length - 1, outputs, memoSize)));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('error: an empty wallet has insufficient funds', () => {
    const e = walletErrorOf(() => select({ coins: [], amount: 1n }));
    expect(e.code).toBe('insufficient-funds');
    expect(e.message).toContain('0 available');
  });

  it('error: not enough says how much is available', () => {
    const e = walletErrorOf(() => select({ coins: [coin(150_000_000n), coin(50_000_000n, false)], amount: 300_000_000n }));
    expect(e.code).toBe('insufficient-funds');
    expect(e.message).toContain('2 available');
  });

  it('error: the fee pushing the total over the balance is insufficient funds', () => {
    const c = coin(10_000n);
    expect(walletErrorOf(() => select({ coins: [c], amount: 10_000n })).code).toBe('insufficient-funds');
    expect(walletErrorOf(() => select({ coins: [c], amount: 10_000n - SIZE_1_1 + 1n })).code).toBe('insufficient-funds');
    expect(walletErrorOf(() => select({ coins: [c], amount: 10_000n - 10n * SIZE_1_1 + 1n, feeRate: 10n })).code).toBe('insufficient-funds');
    expect(select({ coins: [c], amount: 10_000n - SIZE_1_1 }).fee).toBe(SIZE_1_1);
  });

  it('error: coins that each cost more to spend than they hold cannot pay', () => {
    const coins = Array.from({ length: 10 }, () => coin(90n));
    expect(walletErrorOf(() => select({ coins, amount: 1n })).code).toBe('insufficient-funds');
  });

  it('error: a payment that needs more inputs than a tx may hold is refused, saying so', () => {
    const coins = Array.from({ length: 1_200 }, () => coin(1_000n));
    const e = walletErrorOf(() => select({ coins, amount: 1_000_000n, limits: DEFAULT_LIMITS }));
    expect(e.code).toBe('insufficient-funds');
    expect(e.message).toContain('more inputs than a tx may hold');
    const fits = select({ coins, amount: 800_000n, limits: DEFAULT_LIMITS });
    expect(paymentSize(fits.inputs.length, fits.change > 0n ? 2 : 1, 0)).toBeLessThanOrEqual(DEFAULT_LIMITS.maxTxSize);
  });

  it('error: a fee rate below 1, or a fixed fee below 1 per byte, is fee-too-low', () => {
    const c = coin(100_000n);
    expect(walletErrorOf(() => select({ coins: [c], amount: 1_000n, feeRate: 0n })).code).toBe('fee-too-low');
    expect(walletErrorOf(() => select({ coins: [c], amount: 1_000n, fee: -1n })).code).toBe('fee-too-low');
    // With change the tx is 187 bytes, so 186 is short by one.
    expect(walletErrorOf(() => select({ coins: [c], amount: 1_000n, fee: SIZE_1_2 - 1n })).code).toBe('fee-too-low');
    expect(select({ coins: [c], amount: 1_000n, fee: SIZE_1_2 }).fee).toBe(SIZE_1_2);
    expect(walletErrorOf(() => select({ coins: [c], amount: 1_000n, fee: 2n * SIZE_1_2 - 1n, feeRate: 2n })).code).toBe('fee-too-low');
  });

  it('error: a zero or negative amount is bad-amount', () => {
    expect(walletErrorOf(() => select({ coins: [coin(1_000n)], amount: 0n })).code).toBe('bad-amount');
    expect(walletErrorOf(() => select({ coins: [coin(1_000n)], amount: -5n })).code).toBe('bad-amount');
  });
});
