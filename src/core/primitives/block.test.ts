import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../encoding/decode-error.ts';
import { bytesToHex } from '../encoding/hex.ts';
import { blockSize, decodeBlock, encodeBlock, type Block } from './block.ts';
import { HEADER_SIZE, encodeHeader, type BlockHeader } from './header.ts';
import { DEFAULT_LIMITS, type CodecLimits } from './limits.ts';
import { MIN_TX_SIZE, encodeTx, txSize, type Transaction, type TxInput, type TxOutput } from './transaction.ts';
import { expectDecodeError } from '../testing/decode-errors.ts';
import { MUTATION_KINDS, mutate } from '../testing/byte-mutations.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: (Uint8Array | readonly number[])[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));

const header: BlockHeader = {
  version: 1,
  prevHash: new Uint8Array(32).fill(0x11),
  merkleRoot: new Uint8Array(32).fill(0x22),
  time: 1_795_305_630,
  bits: 0x207fffff,
  nonce: 42,
};

const coinbaseTx: Transaction = {
  version: 1,
  inputs: [],
  coinbase: { height: 7, extraNonce: 99n },
  outputs: [{ amount: 50_0000_0000n, publicKey: new Uint8Array(32).fill(5) }],
  memo: utf8('block memo'),
};

const spendTx: Transaction = {
  version: 1,
  inputs: [{ prevTxid: new Uint8Array(32).fill(1), vout: 3, signature: new Uint8Array(64).fill(0xaa) }],
  outputs: [
    { amount: 1_0000_0000n, publicKey: new Uint8Array(32).fill(3) },
    { amount: 2n, publicKey: new Uint8Array(32).fill(4) },
  ],
  memo: new Uint8Array(0),
};

const block: Block = { header, txs: [coinbaseTx, spendTx] };

/** fc.record builds null-prototype objects; decoders build plain ones (toStrictEqual tells them apart). */
const plain = <T extends object>(arb: fc.Arbitrary<T>): fc.Arbitrary<T> => arb.map((v) => ({ ...v }));
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u64 = fc.bigInt({ min: 0n, max: 0xffffffffffffffffn });
const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const headerArb: fc.Arbitrary<BlockHeader> = plain(fc.record({ version: u32, prevHash: hash32, merkleRoot: hash32, time: u32, bits: u32, nonce: u32 }));
const inputArb: fc.Arbitrary<TxInput> = plain(fc.record({ prevTxid: hash32, vout: u32, signature: fc.uint8Array({ minLength: 64, maxLength: 64 }) }));
const outputArb: fc.Arbitrary<TxOutput> = plain(fc.record({ amount: u64, publicKey: hash32 }));
const memoArb = fc.uint8Array({ maxLength: 80 });
const txArb: fc.Arbitrary<Transaction> = fc.oneof(
  plain(fc.record({ version: u32, inputs: fc.array(inputArb, { minLength: 1, maxLength: 3 }), outputs: fc.array(outputArb, { maxLength: 3 }), memo: memoArb })),
  plain(
    fc.record({
      version: u32,
      inputs: fc.constant([]),
      coinbase: plain(fc.record({ height: u32, extraNonce: u64 })),
      outputs: fc.array(outputArb, { maxLength: 3 }),
      memo: memoArb,
    }),
  ),
);
const blockArb: fc.Arbitrary<Block> = plain(fc.record({ header: headerArb, txs: fc.array(txArb, { maxLength: 4 }) }));

const mutationArb = fc.tuple(fc.integer({ min: 0, max: MUTATION_KINDS - 1 }), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ minLength: 1, maxLength: 8 }));

describe('encodeBlock', () => {
  it('behavior: is the header, a CompactSize tx count, then each tx', () => {
    const expected = concat(encodeHeader(header), [2], encodeTx(coinbaseTx), encodeTx(spendTx));
    expect(bytesToHex(encodeBlock(block))).toBe(bytesToHex(expected));
  });

  it('behavior: an empty block is the header and a zero count', () => {
    expect(encodeBlock({ header, txs: [] })).toEqual(concat(encodeHeader(header), [0]));
  });

  it('error: an invalid tx inside is refused as the tx encoder refuses it', () => {
    expect(() => encodeBlock({ header, txs: [{ ...spendTx, coinbase: { height: 1, extraNonce: 0n } }] })).toThrow(TypeError);
    expect(() => encodeBlock({ header: { ...header, prevHash: new Uint8Array(31) }, txs: [] })).toThrow(RangeError);
  });
});

describe('blockSize', () => {
  it('behavior: equals the encoded length', () => {
    expect(blockSize(block)).toBe(encodeBlock(block).length);
    expect(blockSize(block)).toBe(HEADER_SIZE + 1 + txSize(coinbaseTx) + txSize(spendTx));
    fc.assert(
      fc.property(blockArb, (b) => {
        expect(blockSize(b)).toBe(encodeBlock(b).length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('decodeBlock', () => {
  it('behavior: decode(encode(block)) deep-equals the block and re-encodes to the same bytes', () => {
    const bytes = encodeBlock(block);
    const decoded = decodeBlock(bytes);
    expect(decoded).toStrictEqual(block);
    expect(encodeBlock(decoded)).toEqual(bytes);
  });

  it('behavior: a block without txs decodes (emptiness is a consensus rule, not an encoding one)', () => {
    expect(decodeBlock(encodeBlock({ header, txs: [] }))).toStrictEqual({ header, txs: [] });
  });

  it('behavior: 253 txs use the 3-byte CompactSize count and round-trip', () => {
    const txs = Array.from({ length: 253 }, (_, i) => ({ ...coinbaseTx, coinbase: { height: i, extraNonce: 0n }, outputs: [], memo: new Uint8Array(0) }));
    const big: Block = { header, txs };
    const bytes = encodeBlock(big);
    expect(Array.from(bytes.subarray(80, 83))).toEqual([0xfd, 0xfd, 0x00]);
    expect(bytes.length).toBe(80 + 3 + 253 * MIN_TX_SIZE);
    expect(decodeBlock(bytes)).toStrictEqual(big);
  });

  it('behavior: arbitrary blocks round-trip both ways', () => {
    fc.assert(
      fc.property(blockArb, (b) => {
        const bytes = encodeBlock(b);
        const decoded = decodeBlock(bytes);
        expect(decoded).toStrictEqual(b);
        expect(encodeBlock(decoded)).toEqual(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('error: every truncation is truncated', () => {
    const bytes = encodeBlock(block);
    for (let cut = 0; cut < bytes.length; cut++) expectDecodeError(() => decodeBlock(bytes.subarray(0, cut)), 'truncated');
  });

  it('error: one trailing byte is trailing-bytes', () => {
    const bytes = encodeBlock(block);
    expectDecodeError(() => decodeBlock(concat(bytes, [0])), 'trailing-bytes', bytes.length);
  });

  it.each([
    ['0xfd', [0xfd, 0x02, 0x00]],
    ['0xfe', [0xfe, 0x02, 0x00, 0x00, 0x00]],
    ['0xff', [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0]],
  ])('error: a tx count of 2 in %s form is non-canonical', (_name, count) => {
    const bytes = encodeBlock(block);
    expectDecodeError(() => decodeBlock(concat(bytes.subarray(0, 80), count, bytes.subarray(81))), 'non-canonical', 80);
  });

  it('error: a non-canonical count inside a tx is non-canonical at its position in the block', () => {
    const bytes = encodeBlock({ header, txs: [spendTx] });
    // block: header 80, count 1, then the tx: version 4, input count at 85.
    expect(bytes[85]).toBe(1);
    expectDecodeError(() => decodeBlock(concat(bytes.subarray(0, 85), [0xfd, 0x01, 0x00], bytes.subarray(86))), 'non-canonical', 85);
  });

  it('error: more txs than maxBlockSize / MIN_TX_SIZE is limit-exceeded', () => {
    const max = Math.floor(DEFAULT_LIMITS.maxBlockSize / MIN_TX_SIZE);
    const count = max + 1;
    expectDecodeError(() => decodeBlock(concat(encodeHeader(header), [0xfd, count & 0xff, count >> 8], new Uint8Array(100))), 'limit-exceeded', 80);
    expectDecodeError(() => decodeBlock(concat(encodeHeader(header), [0xfe, 0xff, 0xff, 0xff, 0xff])), 'limit-exceeded', 80);
  });

  it('error: a huge declared tx count with few bytes fails fast as truncated', () => {
    const max = Math.floor(DEFAULT_LIMITS.maxBlockSize / MIN_TX_SIZE);
    const generous: CodecLimits = { ...DEFAULT_LIMITS, maxBlockSize: Number.MAX_SAFE_INTEGER };
    const start = performance.now();
    expectDecodeError(() => decodeBlock(concat(encodeHeader(header), [0xfd, max & 0xff, max >> 8], encodeTx(coinbaseTx))), 'truncated', 83);
    expectDecodeError(() => decodeBlock(concat(encodeHeader(header), [0xfe, 0xff, 0xff, 0xff, 0xff], encodeTx(coinbaseTx)), generous), 'truncated', 85);
    expect(performance.now() - start).toBeLessThan(250);
  });

  it('error: input longer than maxBlockSize is limit-exceeded at byte 0, before parsing', () => {
    expectDecodeError(() => decodeBlock(new Uint8Array(DEFAULT_LIMITS.maxBlockSize + 1)), 'limit-exceeded', 0);
    const bytes = encodeBlock(block);
    expect(decodeBlock(bytes, { ...DEFAULT_LIMITS, maxBlockSize: bytes.length })).toStrictEqual(block);
    expectDecodeError(() => decodeBlock(bytes, { ...DEFAULT_LIMITS, maxBlockSize: bytes.length - 1 }), 'limit-exceeded', 0);
  });

  it('error: a tx inside larger than maxTxSize is limit-exceeded at the tx start', () => {
    const limits: CodecLimits = { ...DEFAULT_LIMITS, maxTxSize: txSize(spendTx) - 1 };
    expectDecodeError(() => decodeBlock(encodeBlock(block), limits), 'limit-exceeded', 81 + txSize(coinbaseTx));
  });

  it('error: a tx inside with too many inputs or too long a memo is limit-exceeded', () => {
    expectDecodeError(() => decodeBlock(encodeBlock(block), { ...DEFAULT_LIMITS, maxTxInputs: 0 }), 'limit-exceeded', 81 + txSize(coinbaseTx) + 4);
    const longMemo = encodeBlock({ header, txs: [{ ...coinbaseTx, memo: new Uint8Array(81) }] });
    expectDecodeError(() => decodeBlock(longMemo), 'limit-exceeded', longMemo.length - 82);
  });
});

describe('decodeBlock fuzz', () => {
  function decodesCanonicallyOrThrowsDecodeError(bytes: Uint8Array): void {
    let b: Block;
    try {
      b = decodeBlock(bytes);
    } catch (e) {
      expect(e).toBeInstanceOf(DecodeError);
      return;
    }
    expect(encodeBlock(b)).toEqual(bytes);
  }

  it('error: random byte strings either decode canonically or throw DecodeError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), decodesCanonicallyOrThrowsDecodeError), { numRuns: 1000 });
  });

  it('error: a valid header followed by random bytes either decodes canonically or throws DecodeError', () => {
    fc.assert(
      fc.property(headerArb, fc.constantFrom([0], [1], [2], [0xfd], [0xfe], [0xff]), fc.uint8Array({ maxLength: 400 }), (h, count, rest) => {
        decodesCanonicallyOrThrowsDecodeError(concat(encodeHeader(h), count, rest));
      }),
      { numRuns: 1000 },
    );
  });

  it('error: mutated and truncated valid encodings either decode canonically or throw DecodeError', () => {
    fc.assert(
      fc.property(blockArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (b, mutations) => {
        let bytes = encodeBlock(b);
        for (const [kind, pos, value, extra] of mutations) bytes = mutate(bytes, kind, pos, value, extra);
        decodesCanonicallyOrThrowsDecodeError(bytes);
      }),
      { numRuns: 1500 },
    );
  });
});
