import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader } from './byte-reader.ts';
import { ByteWriter, varintSize } from './byte-writer.ts';
import { DecodeError } from './decode-error.ts';
import { decodeErrorOf, expectDecodeError } from '../testing/decode-errors.ts';

/** The DecodeError `fn` throws (fails the test when it throws anything else or nothing). */

const reader = (...bytes: number[]) => new ByteReader(Uint8Array.from(bytes));

describe('ByteReader fixed-width integers', () => {
  it('behavior: reads u8, u16, u32 and u64 little-endian and advances the offset', () => {
    const r = reader(0xab, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01);
    expect(r.offset).toBe(0);
    expect(r.remaining).toBe(15);
    expect(r.u8()).toBe(0xab);
    expect(r.u16()).toBe(0x1234);
    expect(r.u32()).toBe(0x12345678);
    expect(r.offset).toBe(7);
    expect(r.u64()).toBe(0x0123456789abcdefn);
    expect(r.offset).toBe(15);
    expect(r.remaining).toBe(0);
  });

  it('behavior: reads the full unsigned range (no sign extension)', () => {
    const r = reader(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    expect(r.u8()).toBe(255);
    expect(r.u16()).toBe(0xffff);
    expect(r.u32()).toBe(0xffffffff);
    expect(r.u64()).toBe(0xffffffffffffffffn);
  });

  it('behavior: reads a subarray at its own offset, not at the start of the underlying buffer', () => {
    const backing = Uint8Array.from([9, 9, 9, 0x01, 0x02, 0x03, 0x04, 9]);
    const r = new ByteReader(backing.subarray(3, 7));
    expect(r.remaining).toBe(4);
    expect(r.u32()).toBe(0x04030201);
    expectDecodeError(() => r.u8(), 'truncated', 4);
  });

  it.each([
    ['u8', 0, (r: ByteReader) => r.u8()],
    ['u16', 1, (r: ByteReader) => r.u16()],
    ['u32', 3, (r: ByteReader) => r.u32()],
    ['u64', 7, (r: ByteReader) => r.u64()],
  ] as const)('error: %s with one byte too few is truncated at the read position', (_name, available, read) => {
    const r = new ByteReader(new Uint8Array(1 + available));
    r.u8();
    expectDecodeError(() => read(r), 'truncated', 1);
    // A failed read does not move the position.
    expect(r.offset).toBe(1);
  });

  it('error: the message names the field being read', () => {
    const e = decodeErrorOf(() => reader(1).u32('header time'));
    expect(e.message).toContain('header time');
    expect(e.message).toContain('needs 4 bytes, 1 left');
  });
});

describe('ByteReader.varint', () => {
  it.each([
    [[0x00], 0],
    [[0xfc], 0xfc],
    [[0xfd, 0xfd, 0x00], 0xfd],
    [[0xfd, 0xff, 0xff], 0xffff],
    [[0xfe, 0x00, 0x00, 0x01, 0x00], 0x10000],
    [[0xfe, 0xff, 0xff, 0xff, 0xff], 0xffffffff],
  ])('behavior: decodes the canonical CompactSize %j as %i', (bytes, value) => {
    const r = reader(...bytes);
    expect(r.varint(0xffffffff)).toBe(value);
    expect(r.remaining).toBe(0);
  });

  it.each([
    ['0xfd form of 0', [0xfd, 0x00, 0x00]],
    ['0xfd form of 1', [0xfd, 0x01, 0x00]],
    ['0xfd form of 0xfc', [0xfd, 0xfc, 0x00]],
    ['0xfe form of 0', [0xfe, 0x00, 0x00, 0x00, 0x00]],
    ['0xfe form of 0xffff', [0xfe, 0xff, 0xff, 0x00, 0x00]],
    ['0xff form of 0', [0xff, 0, 0, 0, 0, 0, 0, 0, 0]],
    ['0xff form of 0xffffffff', [0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]],
  ])('error: %s is non-canonical (reported at the start of the count)', (_name, bytes) => {
    const r = reader(0x99, ...bytes);
    r.u8();
    expectDecodeError(() => r.varint(Number.MAX_SAFE_INTEGER), 'non-canonical', 1);
  });

  it('behavior: a count equal to the limit is accepted', () => {
    expect(reader(0xfd, 0xe8, 0x03).varint(1000)).toBe(1000);
    expect(reader(0x0a).varint(10)).toBe(10);
  });

  it('error: a count above the limit is limit-exceeded', () => {
    expectDecodeError(() => reader(0x0b).varint(10), 'limit-exceeded', 0);
    expectDecodeError(() => reader(0xfd, 0xe9, 0x03).varint(1000), 'limit-exceeded', 0);
    expectDecodeError(() => reader(0xfe, 0xff, 0xff, 0xff, 0xff).varint(1000), 'limit-exceeded', 0);
  });

  it('error: a canonical 9-byte count (above 2^32) is always limit-exceeded', () => {
    expectDecodeError(() => reader(0xff, 0, 0, 0, 0, 1, 0, 0, 0).varint(Number.MAX_SAFE_INTEGER), 'limit-exceeded', 0);
    expectDecodeError(() => reader(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff).varint(10), 'limit-exceeded', 0);
  });

  it.each([
    ['empty', []],
    ['0xfd with one byte', [0xfd, 0x01]],
    ['0xfe with three bytes', [0xfe, 0x00, 0x00, 0x01]],
    ['0xff with seven bytes', [0xff, 0, 0, 0, 0, 1, 0, 0]],
  ])('error: %s is truncated', (_name, bytes) => {
    expectDecodeError(() => reader(...bytes).varint(Number.MAX_SAFE_INTEGER), 'truncated');
  });

  it('behavior: every count written by ByteWriter reads back, using varintSize bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 0x1ff }), fc.integer({ min: 0, max: 0x1ffff }), fc.integer({ min: 0, max: 0xffffffff })), (n) => {
        const bytes = new ByteWriter().varint(n).finish();
        expect(bytes.length).toBe(varintSize(n));
        const r = new ByteReader(bytes);
        expect(r.varint(n)).toBe(n);
        expect(r.remaining).toBe(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('behavior: on random bytes a varint either is canonical (re-encodes to the bytes read) or throws DecodeError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 10 }), fc.integer({ min: 0, max: 0xffffffff }), (bytes, max) => {
        const r = new ByteReader(bytes);
        let n: number;
        try {
          n = r.varint(max);
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
          return;
        }
        expect(n).toBeLessThanOrEqual(max);
        expect(new ByteWriter().varint(n).finish()).toEqual(bytes.slice(0, r.offset));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('ByteReader.bytes', () => {
  it('behavior: returns a copy that does not alias the input', () => {
    const data = Uint8Array.from([1, 2, 3, 4]);
    const r = new ByteReader(data);
    r.u8();
    const out = r.bytes(2);
    expect(out).toEqual(Uint8Array.from([2, 3]));
    data[1] = 99;
    expect(out).toEqual(Uint8Array.from([2, 3]));
    expect(r.offset).toBe(3);
  });

  it('behavior: zero bytes is an empty array and leaves the offset', () => {
    const r = reader();
    expect(r.bytes(0)).toEqual(new Uint8Array(0));
    expect(r.offset).toBe(0);
  });

  it('error: more bytes than remain is truncated', () => {
    const r = reader(1, 2, 3);
    r.u8();
    expectDecodeError(() => r.bytes(3, 'prevTxid'), 'truncated', 1);
  });
});

describe('ByteReader.varBytes', () => {
  it('behavior: reads a CompactSize length then that many bytes', () => {
    const r = reader(0x03, 7, 8, 9, 10);
    expect(r.varBytes(80)).toEqual(Uint8Array.from([7, 8, 9]));
    expect(r.remaining).toBe(1);
    expect(reader(0x00).varBytes(80)).toEqual(new Uint8Array(0));
  });

  it('error: a length above the limit is limit-exceeded before the bytes are read', () => {
    expectDecodeError(() => reader(0x51).varBytes(80), 'limit-exceeded', 0);
  });

  it('error: a length longer than the input is truncated', () => {
    expectDecodeError(() => reader(0x05, 1, 2).varBytes(80), 'truncated', 1);
  });

  it('error: a non-canonical length is non-canonical', () => {
    expectDecodeError(() => reader(0xfd, 0x01, 0x00, 0xaa).varBytes(80), 'non-canonical', 0);
  });
});

describe('ByteReader.end', () => {
  it('behavior: passes when every byte was consumed', () => {
    const r = reader(1);
    r.u8();
    expect(r.end()).toBeUndefined();
    expect(reader().end()).toBeUndefined();
  });

  it('error: leftover bytes are trailing-bytes at the first unread byte', () => {
    const r = reader(1, 2, 3);
    r.u8();
    const e = decodeErrorOf(() => r.end('header'));
    expect(e.code).toBe('trailing-bytes');
    expect(e.offset).toBe(1);
    expect(e.message).toContain('header: 2 trailing bytes');
  });
});
