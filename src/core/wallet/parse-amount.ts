/**
 * @module Amounts as text. Base units cross the page API boundary (tabchain-api.ts) as decimal strings
 * (JSON and JavaScript numbers cannot hold 64-bit amounts exactly); people type coins with up to
 * 8 decimals. Both parsers are strict: a typo must never turn into a different amount.
 */
import { COIN } from '../consensus/params.ts';
import { mainParams } from '../consensus/networks.ts';
import { WalletError } from './wallet-error.ts';

const DECIMALS = 8;
/** Canonical base units: no sign, no leading zero, no exponent, no separators. */
const UNITS = /^[1-9][0-9]*$/;
/** Coins: digits with an optional fraction of 1..8 digits (a bare leading dot is allowed: ".5"). */
const COINS = /^([0-9]*)(?:\.([0-9]{1,8}))?$/;
/** Longer than max money in base units can ever be; checked before BigInt() so huge inputs stay cheap. */
const MAX_LENGTH = 40;

function checkRange(units: bigint, text: string, maxMoney: bigint): bigint {
  if (units <= 0n) throw new WalletError('bad-amount', `the amount must be above zero (got ${text})`);
  if (units > maxMoney) throw new WalletError('bad-amount', `the amount ${text} is above the money supply`);
  return units;
}

function shown(text: unknown): string {
  return JSON.stringify(typeof text === 'string' ? text.slice(0, MAX_LENGTH) : String(text));
}

/** Base units from their decimal string ("150000000"). Throws WalletError('bad-amount'). */
export function parseAmount(text: string, maxMoney: bigint = mainParams.maxMoney): bigint {
  if (typeof text !== 'string' || text.length > MAX_LENGTH || !UNITS.test(text)) {
    throw new WalletError('bad-amount', `an amount is a positive whole number of base units written in digits, not ${shown(text)}`);
  }
  return checkRange(BigInt(text), text, maxMoney);
}

/** Base units from coins as a person types them ("1.5" → 150000000n). Throws WalletError('bad-amount'). */
export function parseCoins(text: string, maxMoney: bigint = mainParams.maxMoney): bigint {
  // Surrounding whitespace comes from pasting; whitespace inside could hide a typo, so it is refused.
  const trimmed = typeof text === 'string' ? text.trim() : '';
  const match = trimmed.length <= MAX_LENGTH ? COINS.exec(trimmed) : null;
  if (!match || (match[1] === '' && match[2] === undefined)) {
    throw new WalletError('bad-amount', `an amount is a positive number of coins with at most ${DECIMALS} decimals, not ${shown(text)}`);
  }
  const whole = BigInt(match[1] || '0');
  const fraction = BigInt((match[2] ?? '').padEnd(DECIMALS, '0'));
  return checkRange(whole * COIN + fraction, trimmed, maxMoney);
}

/** Coins with only the decimals needed: 150000000n → "1.5", 1n → "0.00000001", 100000000n → "1". */
export function formatCoins(units: bigint): string {
  const sign = units < 0n ? '-' : '';
  const abs = units < 0n ? -units : units;
  const whole = (abs / COIN).toString();
  const fraction = (abs % COIN).toString().padStart(DECIMALS, '0').replace(/0+$/, '');
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}
