import { describe, expect, it } from 'vitest';
import { encodeAddress, regtestParams, workFromBits } from '../../core/index.ts';
import { testKey } from '../../core/testing/chain-builder.ts';
import {
  blockId,
  difficultySeries,
  expectedHashes,
  feeRate,
  intervalSeries,
  meanY,
  pageRange,
  parseQuery,
  shortHash,
  sumUnits,
} from './explorer-format.ts';

const address = encodeAddress(testKey(1).publicKey, 'ttab');
const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

describe('parseQuery', () => {
  it('behavior: digits are a height, 64 hex digits a hash, a known prefix an address', () => {
    expect(parseQuery('  ', 'ttab')).toEqual({ kind: 'empty' });
    expect(parseQuery(' 12 ', 'ttab')).toEqual({ kind: 'height', height: 12 });
    expect(parseQuery('0', 'ttab')).toEqual({ kind: 'height', height: 0 });
    expect(parseQuery('AB'.repeat(32), 'ttab')).toEqual({ kind: 'hash', hash: 'ab'.repeat(32) });
    expect(parseQuery(address, 'ttab')).toEqual({ kind: 'address', address });
    expect(parseQuery(address.toUpperCase(), 'ttab')).toEqual({ kind: 'address', address });
  });

  it('error: a typo, another network\'s address and anything else are told apart', () => {
    const last = address.at(-1)!;
    const typo = address.slice(0, -1) + BECH32[(BECH32.indexOf(last) + 1) % BECH32.length];
    expect(parseQuery(typo, 'ttab')).toMatchObject({ kind: 'bad-address', code: 'bad-checksum' });
    expect(parseQuery(encodeAddress(testKey(1).publicKey, 'tab'), 'ttab')).toMatchObject({ kind: 'bad-address', code: 'wrong-network' });
    expect(parseQuery('ttab1zz', 'ttab')).toMatchObject({ kind: 'bad-address', code: 'bad-format' });
    expect(parseQuery('hello', 'ttab')).toEqual({ kind: 'unknown' });
    expect(parseQuery('ab'.repeat(31), 'ttab')).toEqual({ kind: 'unknown' });
    expect(parseQuery('-1', 'ttab')).toEqual({ kind: 'unknown' });
    expect(parseQuery('9'.repeat(30), 'ttab')).toEqual({ kind: 'unknown' });
  });
});

describe('chart series', () => {
  const bits = `0x${regtestParams.powLimitBits.toString(16).padStart(8, '0')}`;
  const headers = [
    { height: 10, time: 100, bits },
    { height: 11, time: 103, bits },
    { height: 12, time: 102, bits },
    { height: 13, time: 110, bits },
  ];

  it('behavior: difficulty is the expected hashes of each block\'s bits', () => {
    const expected = Number(workFromBits(regtestParams.powLimitBits));
    expect(expectedHashes(bits)).toBe(expected);
    expect(difficultySeries(headers)).toEqual(headers.map((h) => ({ x: h.height, y: expected })));
  });

  it('behavior: intervals are the seconds since the previous block, negative when its time went back', () => {
    const points = intervalSeries(headers);
    expect(points).toEqual([
      { x: 11, y: 3 },
      { x: 12, y: -1 },
      { x: 13, y: 8 },
    ]);
    expect(meanY(points)).toBeCloseTo(10 / 3);
    expect(meanY([])).toBeNull();
    expect(intervalSeries(headers.slice(0, 1))).toEqual([]);
    expect(intervalSeries([{ height: 0, time: 5, bits }, { height: 1, time: 99_999, bits }, { height: 2, time: 100_001, bits }])).toEqual([{ x: 2, y: 2 }]);
  });
});

describe('formatting', () => {
  it('behavior: short hashes, sums, fee rates and block ids', () => {
    expect(shortHash('0123456789abcdef0123')).toBe('01234567…0123');
    expect(shortHash('abc')).toBe('abc');
    expect(sumUnits(['100000000', '50000000'])).toBe(150_000_000n);
    expect(sumUnits([])).toBe(0n);
    expect(feeRate('1000', 300)).toBe(3.333);
    expect(feeRate(null, 300)).toBeNull();
    expect(blockId('42')).toBe(42);
    expect(blockId('AB'.repeat(32))).toBe('ab'.repeat(32));
  });

  it('behavior: a page of the block list never goes below genesis', () => {
    expect(pageRange(100, 20)).toEqual({ from: 81, count: 20 });
    expect(pageRange(5, 20)).toEqual({ from: 0, count: 6 });
    expect(pageRange(0, 20)).toEqual({ from: 0, count: 1 });
  });
});
