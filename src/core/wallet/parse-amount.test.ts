import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COIN } from '../consensus/params.ts';
import { mainParams } from '../consensus/networks.ts';
import { formatCoins, parseAmount, parseCoins } from './parse-amount.ts';
import { WalletError } from './wallet-error.ts';

const MAX = mainParams.maxMoney;

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WalletError);
    return (e as WalletError).code;
  }
  throw new Error('expected a WalletError, nothing was thrown');
}

describe('parseAmount', () => {
  it('behavior: reads a decimal string of base units', () => {
    expect(parseAmount('1')).toBe(1n);
    expect(parseAmount('150000000')).toBe(150_000_000n);
    expect(parseAmount(MAX.toString())).toBe(MAX);
  });

  it('behavior: the limit can be a network\'s own max money', () => {
    expect(parseAmount('1000', 1000n)).toBe(1000n);
    expect(codeOf(() => parseAmount('1001', 1000n))).toBe('bad-amount');
  });

  it('error: zero, negative, decimals, exponents, spaces, signs, hex, leading zeros and non-strings are bad-amount', () => {
    const bad: unknown[] = [
      '', '0', '-1', '+1', '1.5', '1.0', '1e8', '1E8', ' 1', '1 ', '1 000', '1_000', '1,000', '0x10', '01', '00',
      'Infinity', 'NaN', '１', '٣', '9'.repeat(1000), 1, 1n, null, undefined, {},
    ];
    for (const text of bad) expect(codeOf(() => parseAmount(text as string)), JSON.stringify(String(text))).toBe('bad-amount');
  });

  it('error: one unit above max money is bad-amount', () => {
    expect(codeOf(() => parseAmount((MAX + 1n).toString()))).toBe('bad-amount');
  });
});

describe('parseCoins', () => {
  it('behavior: reads coins with up to 8 decimals', () => {
    expect(parseCoins('1.5')).toBe(150_000_000n);
    expect(parseCoins('1')).toBe(COIN);
    expect(parseCoins('0.00000001')).toBe(1n);
    expect(parseCoins('.5')).toBe(50_000_000n);
    expect(parseCoins('12.34567890')).toBe(1_234_567_890n);
    expect(parseCoins('007.10')).toBe(710_000_000n);
    expect(parseCoins('  2.5\n')).toBe(250_000_000n);
    expect(parseCoins('210000000')).toBe(MAX);
  });

  it('error: zero, negative, too many decimals, exponents, inner spaces and separators are bad-amount', () => {
    const bad: unknown[] = [
      '', ' ', '0', '0.0', '0.00000000', '.', '1.', '-1', '+1', '-0.5', '1.000000001', '0.000000001', '1e3', '1E-3', '1 .5', '1. 5',
      '1 000', '1,5', '1,000.00', '1_000', '0x10', 'Infinity', 'NaN', '1.2.3', '１', '9'.repeat(100), 1.5, 1n, null, undefined,
    ];
    for (const text of bad) expect(codeOf(() => parseCoins(text as string)), JSON.stringify(String(text))).toBe('bad-amount');
  });

  it('error: one unit above max money is bad-amount', () => {
    expect(codeOf(() => parseCoins('210000000.00000001'))).toBe('bad-amount');
  });
});

describe('formatCoins', () => {
  it('behavior: shows only the decimals needed', () => {
    expect(formatCoins(150_000_000n)).toBe('1.5');
    expect(formatCoins(1n)).toBe('0.00000001');
    expect(formatCoins(COIN)).toBe('1');
    expect(formatCoins(0n)).toBe('0');
    expect(formatCoins(1_234_567_890n)).toBe('12.3456789');
    expect(formatCoins(MAX)).toBe('210000000');
  });

  it('behavior: shows a negative amount with a minus sign (for history entries)', () => {
    expect(formatCoins(-150_000_000n)).toBe('-1.5');
    expect(formatCoins(-1n)).toBe('-0.00000001');
  });

  it('behavior: round trips through parseCoins and parseAmount for every amount up to max money', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: MAX }), (units) => {
        expect(parseCoins(formatCoins(units))).toBe(units);
        expect(parseAmount(units.toString())).toBe(units);
      }),
      { numRuns: 2000 },
    );
  });

  it('behavior: any well-formed coin text reads as whole × 10^8 + fraction', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 210_000_000n }), fc.stringMatching(/^[0-9]{0,8}$/), (whole, fraction) => {
        const text = fraction ? `${whole}.${fraction}` : `${whole}`;
        const units = whole * COIN + BigInt(fraction.padEnd(8, '0') || '0');
        fc.pre(units > 0n && units <= MAX);
        expect(parseCoins(text)).toBe(units);
      }),
    );
  });
});
