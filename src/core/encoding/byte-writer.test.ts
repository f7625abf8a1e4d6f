import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter, varintSize } from './byte-writer.ts';

const bytesOf = (w: ByteWriter) => Array.from(w.finish());

describe('ByteWriter fixed-width integers', () => {
  it('behavior: writes u8, u16, u32 and u64 little-endian', () => {
    const w = new ByteWriter().u8(0xab).u16(0x1234).u32(0x12345678).u64(0x0123456789abcdefn);
    expect(bytesOf(w)).toEqual([0xab, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01]);
    expect(w.length).toBe(15);
  });

  it('behavior: writes the extremes of the u32 and u64 ranges', () => {
    expect(bytesOf(new ByteWriter().u32(0).u32(0xffffffff))).toEqual([0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
    expect(bytesOf(new ByteWriter().u64(0n))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(bytesOf(new ByteWriter().u64(0xffffffffffffffffn))).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  });

  it.each([-1, 0x100000000, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('error: u32(%s) is a RangeError', (n) => {
    expect(() => new ByteWriter().u32(n)).toThrow(RangeError);
  });

  it.each([-1n, 0x10000000000000000n])('error: u64(%s) is a RangeError', (n) => {
    expect(() => new ByteWriter().u64(n)).toThrow(RangeError);
  });

  it('error: a failed write leaves what was written', () => {
    const w = new ByteWriter().u8(7);
    expect(() => w.u32(-1)).toThrow(RangeError);
    expect(bytesOf(w)).toEqual([7]);
  });
});

describe('ByteWriter.varint', () => {
  it.each([
    [0, [0x00]],
    [0xfc, [0xfc]],
    [0xfd, [0xfd, 0xfd, 0x00]],
    [0xffff, [0xfd, 0xff, 0xff]],
    [0x10000, [0xfe, 0x00, 0x00, 0x01, 0x00]],
    [0xffffffff, [0xfe, 0xff, 0xff, 0xff, 0xff]],
    [0x100000000, [0xff, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00]],
    [Number.MAX_SAFE_INTEGER, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00]],
  ])('behavior: writes %i in its shortest CompactSize form %j', (n, bytes) => {
    expect(bytesOf(new ByteWriter().varint(n))).toEqual(bytes);
    expect(varintSize(n)).toBe(bytes.length);
  });

  it.each([-1, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN])('error: varint(%s) is a RangeError', (n) => {
    expect(() => new ByteWriter().varint(n)).toThrow(RangeError);
  });
});

describe('varintSize', () => {
  it('behavior: equals the length ByteWriter.varint writes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 0x1ffff }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })), (n) => {
        expect(varintSize(n)).toBe(new ByteWriter().varint(n).length);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('ByteWriter.bytes and varBytes', () => {
  it('behavior: bytes appends raw bytes; varBytes prefixes the CompactSize length', () => {
    const w = new ByteWriter().bytes(Uint8Array.from([1, 2])).varBytes(Uint8Array.from([3, 4, 5])).varBytes(new Uint8Array(0));
    expect(bytesOf(w)).toEqual([1, 2, 3, 3, 4, 5, 0]);
  });

  it('behavior: a 253-byte varBytes uses the 3-byte length form', () => {
    const out = new ByteWriter().varBytes(new Uint8Array(253).fill(7)).finish();
    expect(out.length).toBe(256);
    expect(Array.from(out.subarray(0, 4))).toEqual([0xfd, 0xfd, 0x00, 7]);
  });
});

describe('ByteWriter growth and finish', () => {
  it('behavior: grows past its initial capacity and keeps every byte in order', () => {
    const w = new ByteWriter(1);
    const expected: number[] = [];
    for (let i = 0; i < 1000; i++) {
      w.u8(i & 0xff);
      expected.push(i & 0xff);
    }
    w.bytes(new Uint8Array(5000).fill(0xaa));
    for (let i = 0; i < 5000; i++) expected.push(0xaa);
    expect(w.length).toBe(6000);
    expect(bytesOf(w)).toEqual(expected);
  });

  it('behavior: a zero initial capacity still grows (regression: it used to loop forever)', () => {
    expect(bytesOf(new ByteWriter(0).u8(1).u32(2))).toEqual([1, 2, 0, 0, 0]);
    expect(bytesOf(new ByteWriter(0).bytes(new Uint8Array(0)))).toEqual([]);
  });

  it('behavior: finish returns an exactly sized copy that later writes do not change', () => {
    const w = new ByteWriter(64).u8(1);
    const first = w.finish();
    expect(first.length).toBe(1);
    expect(first.buffer.byteLength).toBe(1);
    w.u8(2);
    first[0] = 42;
    expect(Array.from(first)).toEqual([42]);
    expect(bytesOf(w)).toEqual([1, 2]);
  });

  it('behavior: a new writer is empty', () => {
    const w = new ByteWriter();
    expect(w.length).toBe(0);
    expect(w.finish()).toEqual(new Uint8Array(0));
  });

  it('behavior: the written bytes do not alias the source array', () => {
    const src = Uint8Array.from([1, 2, 3]);
    const w = new ByteWriter().bytes(src);
    src[0] = 9;
    expect(bytesOf(w)).toEqual([1, 2, 3]);
  });
});
