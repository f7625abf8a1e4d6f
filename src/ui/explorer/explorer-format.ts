/**
 * @module The explorer's pure helpers: what a search string is (by its shape), the chart series
 * from a run of headers, short hashes, sums of amounts and fee rates. No DOM, no API: tested
 * beside this file. Address checks use core's decodeAddress; nothing here decides consensus.
 */
import { AddressError, decodeAddress, networks, workFromBits, type AddressErrorCode } from '../../core/index.ts';
import type { Point } from '../charts/scale.ts';

/** What a search string asks for, decided by its shape alone (the node is asked afterwards). */
export type SearchQuery =
  | { kind: 'empty' }
  | { kind: 'height'; height: number }
  /** 64 hex digits: a block hash or a txid (the block is tried first). */
  | { kind: 'hash'; hash: string }
  | { kind: 'address'; address: string }
  /** Looks like an address (a known prefix) but decodeAddress refuses it. */
  | { kind: 'bad-address'; code: AddressErrorCode; message: string }
  | { kind: 'unknown' };

/** Address prefixes of every network (`tab1`, `ttab1`): what makes a string look like an address. */
const ADDRESS_PREFIXES = Object.values(networks).map((p) => `${p.addressPrefix}1`);

/**
 * Classifies a search string: digits → a height, 64 hex digits → a hash, a known address prefix →
 * an address (valid on `addressPrefix`'s network, else why not).
 *
 * @example parseQuery(' 12 ', 'ttab') // { kind: 'height', height: 12 }
 */
export function parseQuery(text: string, addressPrefix: string): SearchQuery {
  const q = text.trim();
  if (q === '') return { kind: 'empty' };
  if (/^\d+$/.test(q)) {
    const height = Number(q);
    return Number.isSafeInteger(height) ? { kind: 'height', height } : { kind: 'unknown' };
  }
  if (/^[0-9a-fA-F]{64}$/.test(q)) return { kind: 'hash', hash: q.toLowerCase() };
  const lower = q.toLowerCase();
  if (ADDRESS_PREFIXES.some((p) => lower.startsWith(p))) {
    try {
      decodeAddress(q, addressPrefix);
      return { kind: 'address', address: lower };
    } catch (error) {
      if (error instanceof AddressError) return { kind: 'bad-address', code: error.code, message: error.message };
      throw error;
    }
  }
  return { kind: 'unknown' };
}

/** The route id of a block page: a height when it is all digits, else a hash. */
export function blockId(id: string): string | number {
  return /^\d+$/.test(id) ? Number(id) : id.toLowerCase();
}

/** `0000a1b2…c3d4`: enough of a hash to tell blocks apart in a list. */
export function shortHash(hash: string, head = 8, tail = 4): string {
  return hash.length <= head + tail + 1 ? hash : `${hash.slice(0, head)}…${hash.slice(-tail)}`;
}

/** A compact target string (`0x1f00ffff`) as a number. */
export function parseBits(bits: string): number {
  return Number.parseInt(bits, 16);
}

/** Expected hashes to find a block with these bits (its work), as a float for charts. */
export function expectedHashes(bits: string | number): number {
  return Number(workFromBits(typeof bits === 'number' ? bits : parseBits(bits)));
}

interface HeaderLike {
  height: number;
  time: number;
  bits: string;
}

/** Difficulty per block (expected hashes), by height. */
export function difficultySeries(headers: readonly HeaderLike[]): Point[] {
  return headers.map((h) => ({ x: h.height, y: expectedHashes(h.bits) }));
}

/**
 * Seconds between each block and the one before it, by height (the first header only gives the
 * start). Negative when a block's time is before its parent's, as the time rules allow. Block 1
 * has none: the genesis time is fixed by the network, not mined, so the gap says nothing.
 */
export function intervalSeries(headers: readonly HeaderLike[]): Point[] {
  const points: Point[] = [];
  for (let i = 1; i < headers.length; i++) {
    const prev = headers[i - 1]!;
    const h = headers[i]!;
    if (h.height === prev.height + 1 && prev.height > 0) points.push({ x: h.height, y: h.time - prev.time });
  }
  return points;
}

/** The mean of the points' y values, or null for none. */
export function meanY(points: readonly Point[]): number | null {
  return points.length === 0 ? null : points.reduce((s, p) => s + p.y, 0) / points.length;
}

/** The sum of amounts given as decimal strings of base units. */
export function sumUnits(amounts: readonly string[]): bigint {
  return amounts.reduce((sum, a) => sum + BigInt(a), 0n);
}

/** Base units per byte, to at most 3 decimals, or null without a fee. */
export function feeRate(fee: string | null, size: number): number | null {
  if (fee === null || size <= 0) return null;
  return Math.round(Number((BigInt(fee) * 1000n) / BigInt(size))) / 1000;
}

/** The heights of one page of the latest-blocks list: `top` down, at most `size`, not below 0. */
export function pageRange(top: number, size: number): { from: number; count: number } {
  const from = Math.max(0, top - size + 1);
  return { from, count: Math.max(0, top - from + 1) };
}
