import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader } from '../encoding/byte-reader.ts';
import { ByteWriter } from '../encoding/byte-writer.ts';
import { DecodeError } from '../encoding/decode-error.ts';
import { bytesToHex } from '../encoding/hex.ts';
import { DEFAULT_LIMITS, type CodecLimits } from './limits.ts';
import {
  INPUT_SIZE,
  MIN_TX_SIZE,
  OUTPUT_SIZE,
  decodeTx,
  encodeTx,
  isCoinbase,
  readTx,
  txSize,
  txid,
  txidBytes,
  writeTx,
  type Transaction,
  type TxInput,
  type TxOutput,
} from './transaction.ts';
import { expectDecodeError } from '../testing/decode-errors.ts';
import { MUTATION_KINDS, mutate } from '../testing/byte-mutations.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);
const sha256dNode = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(createHash('sha256').update(b).digest()).digest());

const concat = (...parts: (Uint8Array | readonly number[])[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));

const normalTx: Transaction = {
  version: 1,
  inputs: [
    { prevTxid: new Uint8Array(32).fill(1), vout: 0, signature: new Uint8Array(64).fill(0xaa) },
    { prevTxid: new Uint8Array(32).fill(2), vout: 7, signature: new Uint8Array(64).fill(0xbb) },
  ],
  outputs: [
    { amount: 5_0000_0000n, publicKey: new Uint8Array(32).fill(3) },
    { amount: 1n, publicKey: new Uint8Array(32).fill(4) },
  ],
  memo: utf8('hello'),
};

const coinbaseTx: Transaction = {
  version: 1,
  inputs: [],
  coinbase: { height: 1234, extraNonce: 0xdeadbeefn },
  outputs: [{ amount: 50_0000_0000n, publicKey: new Uint8Array(32).fill(5) }],
  memo: utf8('mined by tab'),
};

/** fc.record builds null-prototype objects; decoders build plain ones (toStrictEqual tells them apart). */
const plain = <T extends object>(arb: fc.Arbitrary<T>): fc.Arbitrary<T> => arb.map((v) => ({ ...v }));

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u64 = fc.bigInt({ min: 0n, max: 0xffffffffffffffffn });
const inputArb: fc.Arbitrary<TxInput> = plain(
  fc.record({
    prevTxid: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    vout: u32,
    signature: fc.uint8Array({ minLength: 64, maxLength: 64 }),
  }),
);
const outputArb: fc.Arbitrary<TxOutput> = plain(fc.record({ amount: u64, publicKey: fc.uint8Array({ minLength: 32, maxLength: 32 }) }));
const memoArb = fc.uint8Array({ maxLength: 80 });
const txArb: fc.Arbitrary<Transaction> = fc.oneof(
  plain(
    fc.record({
      version: u32,
      inputs: fc.array(inputArb, { minLength: 1, maxLength: 4 }),
      outputs: fc.array(outputArb, { maxLength: 4 }),
      memo: memoArb,
    }),
  ),
  plain(
    fc.record({
      version: u32,
      inputs: fc.constant([]),
      coinbase: plain(fc.record({ height: u32, extraNonce: u64 })),
      outputs: fc.array(outputArb, { maxLength: 4 }),
      memo: memoArb,
    }),
  ),
);

const mutationArb = fc.tuple(fc.integer({ min: 0, max: MUTATION_KINDS - 1 }), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ minLength: 1, maxLength: 8 }));

describe('constants', () => {
  it('behavior: sizes follow the documented layout', () => {
    expect(INPUT_SIZE).toBe(100);
    expect(OUTPUT_SIZE).toBe(40);
    // version 4 + input count 1 + height 4 + extraNonce 8 + output count 1 + memo length 1
    expect(MIN_TX_SIZE).toBe(19);
    expect(encodeTx({ version: 0, inputs: [], coinbase: { height: 0, extraNonce: 0n }, outputs: [], memo: new Uint8Array(0) }).length).toBe(MIN_TX_SIZE);
  });
});

describe('isCoinbase', () => {
  it('behavior: true exactly for a tx without inputs', () => {
    expect(isCoinbase(coinbaseTx)).toBe(true);
    expect(isCoinbase(normalTx)).toBe(false);
  });
});

describe('encodeTx', () => {
  it('behavior: lays out a coinbase as version, 0 inputs, height, extraNonce, outputs, memo', () => {
    const expected =
      '01000000' + // version
      '00' + // no inputs
      'd2040000' + // height 1234
      'efbeadde00000000' + // extraNonce
      '01' + // one output
      '00f2052a01000000' + // 50 coins
      '05'.repeat(32) +
      '0c' + // memo length
      bytesToHex(utf8('mined by tab'));
    expect(bytesToHex(encodeTx(coinbaseTx))).toBe(expected);
  });

  it('behavior: lays out a spending tx as version, inputs (prevTxid, vout, signature), outputs, memo', () => {
    const expected =
      '01000000' +
      '02' +
      '01'.repeat(32) + '00000000' + 'aa'.repeat(64) +
      '02'.repeat(32) + '07000000' + 'bb'.repeat(64) +
      '02' +
      '0065cd1d00000000' + '03'.repeat(32) +
      '0100000000000000' + '04'.repeat(32) +
      '05' + bytesToHex(utf8('hello'));
    expect(bytesToHex(encodeTx(normalTx))).toBe(expected);
  });

  it('behavior: 253 outputs use the 3-byte CompactSize count and round-trip', () => {
    const outputs = Array.from({ length: 253 }, (_, i) => ({ amount: BigInt(i), publicKey: new Uint8Array(32).fill(i & 0xff) }));
    const tx: Transaction = { ...coinbaseTx, outputs };
    const bytes = encodeTx(tx);
    expect(Array.from(bytes.subarray(17, 20))).toEqual([0xfd, 0xfd, 0x00]);
    expect(bytes.length).toBe(txSize(tx));
    expect(decodeTx(bytes)).toStrictEqual(tx);
  });

  it('error: coinbase data on a tx with inputs is a TypeError', () => {
    expect(() => encodeTx({ ...normalTx, coinbase: { height: 1, extraNonce: 0n } })).toThrow(TypeError);
  });

  it('error: a tx with no inputs and no coinbase data is a TypeError', () => {
    expect(() => encodeTx({ version: 1, inputs: [], outputs: [], memo: new Uint8Array(0) })).toThrow(TypeError);
  });

  it.each([
    ['a 31-byte prevTxid', { ...normalTx, inputs: [{ prevTxid: new Uint8Array(31), vout: 0, signature: new Uint8Array(64) }] }],
    ['a 63-byte signature', { ...normalTx, inputs: [{ prevTxid: new Uint8Array(32), vout: 0, signature: new Uint8Array(63) }] }],
    ['a 33-byte output key', { ...normalTx, outputs: [{ amount: 1n, publicKey: new Uint8Array(33) }] }],
    ['a negative amount', { ...normalTx, outputs: [{ amount: -1n, publicKey: new Uint8Array(32) }] }],
    ['an amount of 2^64', { ...normalTx, outputs: [{ amount: 2n ** 64n, publicKey: new Uint8Array(32) }] }],
    ['a vout of 2^32', { ...normalTx, inputs: [{ prevTxid: new Uint8Array(32), vout: 2 ** 32, signature: new Uint8Array(64) }] }],
    ['a negative version', { ...normalTx, version: -1 }],
    ['a coinbase height of 2^32', { ...coinbaseTx, coinbase: { height: 2 ** 32, extraNonce: 0n } }],
  ] as [string, Transaction][])('error: %s is a RangeError', (_name, tx) => {
    expect(() => encodeTx(tx)).toThrow(RangeError);
  });
});

describe('writeTx', () => {
  it('behavior: appends the encoding to a writer', () => {
    const w = new ByteWriter().u8(0x99);
    writeTx(w, coinbaseTx);
    expect(w.finish()).toEqual(concat([0x99], encodeTx(coinbaseTx)));
  });
});

describe('txSize', () => {
  it('behavior: equals the encoded length for the samples and for arbitrary txs', () => {
    expect(txSize(normalTx)).toBe(encodeTx(normalTx).length);
    expect(txSize(coinbaseTx)).toBe(encodeTx(coinbaseTx).length);
    fc.assert(
      fc.property(txArb, (tx) => {
        expect(txSize(tx)).toBe(encodeTx(tx).length);
      }),
      { numRuns: 500 },
    );
  });
});

describe('decodeTx', () => {
  it.each([
    ['normal', normalTx],
    ['coinbase', coinbaseTx],
  ])('behavior: decode(encode(tx)) deep-equals the %s tx and re-encodes to the same bytes', (_name, tx) => {
    const bytes = encodeTx(tx);
    const decoded = decodeTx(bytes);
    expect(decoded).toStrictEqual(tx);
    expect(encodeTx(decoded)).toEqual(bytes);
  });

  it('behavior: a decoded spending tx carries no coinbase field; a decoded coinbase carries its data', () => {
    expect('coinbase' in decodeTx(encodeTx(normalTx))).toBe(false);
    expect(decodeTx(encodeTx(coinbaseTx)).coinbase).toEqual({ height: 1234, extraNonce: 0xdeadbeefn });
  });

  it('behavior: an 80-byte memo is accepted', () => {
    const tx = { ...coinbaseTx, memo: new Uint8Array(80).fill(0x61) };
    expect(decodeTx(encodeTx(tx))).toStrictEqual(tx);
  });

  it('behavior: arbitrary txs round-trip both ways', () => {
    fc.assert(
      fc.property(txArb, (tx) => {
        const bytes = encodeTx(tx);
        const decoded = decodeTx(bytes);
        expect(decoded).toStrictEqual(tx);
        expect(encodeTx(decoded)).toEqual(bytes);
      }),
      { numRuns: 1000 },
    );
  });

  it('error: every truncation is truncated', () => {
    for (const tx of [normalTx, coinbaseTx]) {
      const bytes = encodeTx(tx);
      for (let cut = 0; cut < bytes.length; cut++) expectDecodeError(() => decodeTx(bytes.subarray(0, cut)), 'truncated');
    }
  });

  it('error: one trailing byte is trailing-bytes', () => {
    for (const tx of [normalTx, coinbaseTx]) {
      const bytes = encodeTx(tx);
      expectDecodeError(() => decodeTx(concat(bytes, [0])), 'trailing-bytes', bytes.length);
    }
  });

  it.each([
    ['0xfd', [0xfd, 0x01, 0x00]],
    ['0xfe', [0xfe, 0x01, 0x00, 0x00, 0x00]],
    ['0xff', [0xff, 0x01, 0, 0, 0, 0, 0, 0, 0]],
  ])('error: an input count of 1 in %s form is non-canonical', (_name, count) => {
    const bytes = encodeTx({ ...normalTx, inputs: normalTx.inputs.slice(0, 1) });
    expect(bytes[4]).toBe(1);
    expectDecodeError(() => decodeTx(concat(bytes.subarray(0, 4), count, bytes.subarray(5))), 'non-canonical', 4);
  });

  it('error: a non-canonical output count is non-canonical', () => {
    const bytes = encodeTx(coinbaseTx);
    expect(bytes[17]).toBe(1);
    expectDecodeError(() => decodeTx(concat(bytes.subarray(0, 17), [0xfd, 0x01, 0x00], bytes.subarray(18))), 'non-canonical', 17);
  });

  it('error: a non-canonical memo length is non-canonical', () => {
    const bytes = encodeTx(coinbaseTx);
    const memoAt = bytes.length - 13;
    expect(bytes[memoAt]).toBe(12);
    expectDecodeError(() => decodeTx(concat(bytes.subarray(0, memoAt), [0xfd, 0x0c, 0x00], bytes.subarray(memoAt + 1))), 'non-canonical', memoAt);
  });

  it('error: more inputs than maxTxInputs is limit-exceeded', () => {
    // 1001 inputs declared: refused at the count, before any input is read.
    expectDecodeError(() => decodeTx(concat([1, 0, 0, 0], [0xfd, 0xe9, 0x03], new Uint8Array(200))), 'limit-exceeded', 4);
    const limits: CodecLimits = { ...DEFAULT_LIMITS, maxTxInputs: 1 };
    expect(decodeTx(encodeTx({ ...normalTx, inputs: normalTx.inputs.slice(0, 1) }), limits).inputs.length).toBe(1);
    expectDecodeError(() => decodeTx(encodeTx(normalTx), limits), 'limit-exceeded', 4);
  });

  it('error: more outputs than maxTxOutputs is limit-exceeded', () => {
    expectDecodeError(() => decodeTx(concat([1, 0, 0, 0], [0x00], new Uint8Array(12), [0xfd, 0xe9, 0x03], new Uint8Array(200))), 'limit-exceeded', 17);
    const limits: CodecLimits = { ...DEFAULT_LIMITS, maxTxOutputs: 1 };
    expectDecodeError(() => decodeTx(encodeTx(normalTx), limits), 'limit-exceeded', 4 + 1 + 2 * INPUT_SIZE);
  });

  it('error: an 81-byte memo is limit-exceeded', () => {
    const bytes = encodeTx({ ...coinbaseTx, memo: new Uint8Array(81) });
    expectDecodeError(() => decodeTx(bytes), 'limit-exceeded', bytes.length - 82);
  });

  it('error: input longer than maxTxSize is limit-exceeded at byte 0, before parsing', () => {
    // Zeros would otherwise parse as a coinbase followed by trailing bytes.
    expectDecodeError(() => decodeTx(new Uint8Array(DEFAULT_LIMITS.maxTxSize + 1)), 'limit-exceeded', 0);
    const bytes = encodeTx(normalTx);
    expect(decodeTx(bytes, { ...DEFAULT_LIMITS, maxTxSize: bytes.length })).toStrictEqual(normalTx);
    expectDecodeError(() => decodeTx(bytes, { ...DEFAULT_LIMITS, maxTxSize: bytes.length - 1 }), 'limit-exceeded', 0);
  });

  it('error: a huge declared count with few bytes fails fast as truncated', () => {
    const generous: CodecLimits = { ...DEFAULT_LIMITS, maxTxInputs: 0xffffffff, maxTxOutputs: 0xffffffff };
    const start = performance.now();
    // 2^32 - 1 inputs, then 20 bytes.
    expectDecodeError(() => decodeTx(concat([1, 0, 0, 0], [0xfe, 0xff, 0xff, 0xff, 0xff], new Uint8Array(20)), generous), 'truncated', 9);
    // A coinbase declaring 2^32 - 1 outputs.
    expectDecodeError(() => decodeTx(concat([1, 0, 0, 0], [0x00], new Uint8Array(12), [0xfe, 0xff, 0xff, 0xff, 0xff], new Uint8Array(20)), generous), 'truncated', 22);
    // The default limits: 1000 inputs declared with 99 bytes behind them.
    expectDecodeError(() => decodeTx(concat([1, 0, 0, 0], [0xfd, 0xe8, 0x03], new Uint8Array(99))), 'truncated', 7);
    expect(performance.now() - start).toBeLessThan(250);
  });
});

describe('readTx', () => {
  it('behavior: reads one tx from a stream and stops at its end', () => {
    const r = new ByteReader(concat(encodeTx(normalTx), encodeTx(coinbaseTx)));
    expect(readTx(r)).toStrictEqual(normalTx);
    expect(r.offset).toBe(txSize(normalTx));
    expect(readTx(r)).toStrictEqual(coinbaseTx);
    expect(r.remaining).toBe(0);
  });

  it('error: a tx inside a stream larger than maxTxSize is limit-exceeded at its start', () => {
    const r = new ByteReader(concat([0xee], encodeTx(normalTx)));
    r.u8();
    expectDecodeError(() => readTx(r, { ...DEFAULT_LIMITS, maxTxSize: 100 }), 'limit-exceeded', 1);
  });
});

describe('txid / txidBytes', () => {
  it('behavior: txidBytes is sha256d of the encoding; txid is its display-order hex', () => {
    for (const tx of [normalTx, coinbaseTx]) {
      const expected = sha256dNode(encodeTx(tx));
      expect(bytesToHex(txidBytes(tx))).toBe(bytesToHex(expected));
      expect(txid(tx)).toBe(bytesToHex(expected.slice().reverse()));
    }
  });

  it('behavior: the memoised txid equals a fresh computation on an equal copy', () => {
    fc.assert(
      fc.property(txArb, (tx) => {
        const first = txidBytes(tx);
        expect(txidBytes(tx)).toBe(first);
        const copy = decodeTx(encodeTx(tx));
        expect(copy).not.toBe(tx);
        expect(bytesToHex(txidBytes(copy))).toBe(bytesToHex(first));
        expect(bytesToHex(first)).toBe(bytesToHex(sha256dNode(encodeTx(tx))));
      }),
      { numRuns: 300 },
    );
  });

  it('behavior: the signatures are part of the txid, and so is the coinbase extra nonce', () => {
    const resigned = { ...normalTx, inputs: [{ ...normalTx.inputs[0]!, signature: new Uint8Array(64).fill(0xcc) }, normalTx.inputs[1]!] };
    expect(txid(resigned)).not.toBe(txid(normalTx));
    expect(txid({ ...coinbaseTx, coinbase: { height: 1234, extraNonce: 1n } })).not.toBe(txid(coinbaseTx));
  });
});

describe('decodeTx fuzz', () => {
  /** Decodes or throws DecodeError; anything decoded is canonical (re-encodes to its input). */
  function decodesCanonicallyOrThrowsDecodeError(bytes: Uint8Array): void {
    let tx: Transaction;
    try {
      tx = decodeTx(bytes);
    } catch (e) {
      expect(e).toBeInstanceOf(DecodeError);
      return;
    }
    expect(encodeTx(tx)).toEqual(bytes);
  }

  it('error: random byte strings either decode canonically or throw DecodeError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), decodesCanonicallyOrThrowsDecodeError), { numRuns: 2000 });
  });

  it('error: random byte strings shaped like a tx header either decode canonically or throw DecodeError', () => {
    fc.assert(
      fc.property(fc.constantFrom([0x00], [0x01], [0x02], [0xfd], [0xfe], [0xff]), fc.uint8Array({ maxLength: 300 }), (count, rest) => {
        decodesCanonicallyOrThrowsDecodeError(concat([1, 0, 0, 0], count, rest));
      }),
      { numRuns: 1000 },
    );
  });

  it('error: mutated and truncated valid encodings either decode canonically or throw DecodeError', () => {
    fc.assert(
      fc.property(txArb, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (tx, mutations) => {
        let bytes = encodeTx(tx);
        for (const [kind, pos, value, extra] of mutations) bytes = mutate(bytes, kind, pos, value, extra);
        decodesCanonicallyOrThrowsDecodeError(bytes);
      }),
      { numRuns: 2000 },
    );
  });
});
