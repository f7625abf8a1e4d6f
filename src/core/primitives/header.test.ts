import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkProofOfWork } from '../consensus/pow.ts';
import { ByteReader } from '../encoding/byte-reader.ts';
import { DecodeError } from '../encoding/decode-error.ts';
import { bytesToHex, hashToHex, hexToBytes } from '../encoding/hex.ts';
import { HEADER_SIZE, blockHash, decodeHeader, encodeHeader, headerHash, readHeader, type BlockHeader } from './header.ts';
import { expectDecodeError } from '../testing/decode-errors.ts';

const GENESIS_HEX =
  '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c';
const GENESIS_HASH = '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f';
const GENESIS_MERKLE_DISPLAY = '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b';

const sha256dNode = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(createHash('sha256').update(b).digest()).digest());

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const headerArb: fc.Arbitrary<BlockHeader> = fc.record({ version: u32, prevHash: hash32, merkleRoot: hash32, time: u32, bits: u32, nonce: u32 });

describe('decodeHeader', () => {
  it('behavior: decodes the Bitcoin genesis header', () => {
    const header = decodeHeader(hexToBytes(GENESIS_HEX));
    expect(header.version).toBe(1);
    expect(header.prevHash).toEqual(new Uint8Array(32));
    expect(hashToHex(header.merkleRoot)).toBe(GENESIS_MERKLE_DISPLAY);
    expect(header.time).toBe(1231006505);
    expect(header.bits).toBe(0x1d00ffff);
    expect(header.nonce).toBe(2083236893);
  });

  it('behavior: decodes the u32 fields unsigned', () => {
    const bytes = new Uint8Array(80).fill(0xff);
    const header = decodeHeader(bytes);
    expect([header.version, header.time, header.bits, header.nonce]).toEqual([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff]);
  });

  it('error: every truncation of a header is truncated', () => {
    const bytes = hexToBytes(GENESIS_HEX);
    for (let cut = 0; cut < HEADER_SIZE; cut++) expectDecodeError(() => decodeHeader(bytes.subarray(0, cut)), 'truncated');
  });

  it('error: the truncation is reported at the field that did not fit', () => {
    const bytes = hexToBytes(GENESIS_HEX);
    expectDecodeError(() => decodeHeader(bytes.subarray(0, 3)), 'truncated', 0);
    expectDecodeError(() => decodeHeader(bytes.subarray(0, 40)), 'truncated', 36);
    expectDecodeError(() => decodeHeader(bytes.subarray(0, 79)), 'truncated', 76);
  });

  it('error: one trailing byte is trailing-bytes at byte 80', () => {
    expectDecodeError(() => decodeHeader(Uint8Array.of(...hexToBytes(GENESIS_HEX), 0)), 'trailing-bytes', 80);
  });

  it('behavior: the decoded hashes do not alias the input', () => {
    const bytes = hexToBytes(GENESIS_HEX);
    const header = decodeHeader(bytes);
    bytes.fill(0);
    expect(hashToHex(header.merkleRoot)).toBe(GENESIS_MERKLE_DISPLAY);
  });
});

describe('encodeHeader', () => {
  it('behavior: re-encodes the Bitcoin genesis header to the same 80 bytes', () => {
    const bytes = hexToBytes(GENESIS_HEX);
    const out = encodeHeader(decodeHeader(bytes));
    expect(out.length).toBe(HEADER_SIZE);
    expect(bytesToHex(out)).toBe(GENESIS_HEX);
  });

  it('behavior: lays fields out as version, prevHash, merkleRoot, time, bits, nonce (little-endian)', () => {
    const header: BlockHeader = {
      version: 0x04030201,
      prevHash: new Uint8Array(32).fill(0xaa),
      merkleRoot: new Uint8Array(32).fill(0xbb),
      time: 0x08070605,
      bits: 0x0c0b0a09,
      nonce: 0x100f0e0d,
    };
    const expected = `01020304${'aa'.repeat(32)}${'bb'.repeat(32)}05060708090a0b0c0d0e0f10`;
    expect(bytesToHex(encodeHeader(header))).toBe(expected);
  });

  it.each([
    ['a 31-byte prevHash', { prevHash: new Uint8Array(31) }],
    ['a 33-byte merkleRoot', { merkleRoot: new Uint8Array(33) }],
  ])('error: %s is a RangeError', (_name, patch) => {
    const header = { ...decodeHeader(hexToBytes(GENESIS_HEX)), ...patch };
    expect(() => encodeHeader(header)).toThrow(RangeError);
  });

  it.each([
    ['version', -1],
    ['time', 2 ** 32],
    ['bits', 1.5],
    ['nonce', -1],
  ])('error: %s = %s (not a u32) is a RangeError', (field, value) => {
    const header = { ...decodeHeader(hexToBytes(GENESIS_HEX)), [field]: value };
    expect(() => encodeHeader(header)).toThrow(RangeError);
  });

  it('behavior: decode(encode(h)) deep-equals h for arbitrary headers', () => {
    fc.assert(
      fc.property(headerArb, (header) => {
        const bytes = encodeHeader(header);
        expect(bytes.length).toBe(HEADER_SIZE);
        expect(decodeHeader(bytes)).toEqual(header);
      }),
      { numRuns: 1000 },
    );
  });

  it('behavior: encode(decode(b)) = b for every 80-byte string', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 80, maxLength: 80 }), (bytes) => {
        expect(encodeHeader(decodeHeader(bytes))).toEqual(bytes);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('readHeader', () => {
  it('behavior: reads a header from the middle of a stream and leaves the rest', () => {
    const r = new ByteReader(Uint8Array.of(0xee, ...hexToBytes(GENESIS_HEX), 0x42));
    r.u8();
    const header = readHeader(r);
    expect(header.nonce).toBe(2083236893);
    expect(r.offset).toBe(81);
    expect(r.u8()).toBe(0x42);
  });
});

describe('headerHash / blockHash', () => {
  it('behavior: the Bitcoin genesis header hashes to its well-known block hash and meets its target', () => {
    const header = decodeHeader(hexToBytes(GENESIS_HEX));
    expect(blockHash(header)).toBe(GENESIS_HASH);
    expect(hashToHex(headerHash(header))).toBe(GENESIS_HASH);
    expect(checkProofOfWork(header)).toBe(true);
  });

  it('error: a changed nonce changes the hash and fails proof of work', () => {
    const header = { ...decodeHeader(hexToBytes(GENESIS_HEX)), nonce: 2083236894 };
    expect(blockHash(header)).not.toBe(GENESIS_HASH);
    expect(checkProofOfWork(header)).toBe(false);
  });

  it('behavior: headerHash is sha256d of the encoding (internal order); blockHash is its reverse in hex', () => {
    fc.assert(
      fc.property(headerArb, (header) => {
        const internal = headerHash(header);
        expect(bytesToHex(internal)).toBe(bytesToHex(sha256dNode(encodeHeader(header))));
        expect(blockHash(header)).toBe(bytesToHex(internal.slice().reverse()));
      }),
      { numRuns: 300 },
    );
  });
});

describe('decodeHeader fuzz', () => {
  it('error: random byte strings either decode (exactly 80 bytes) or throw DecodeError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ minLength: 78, maxLength: 82 })), (bytes) => {
        let header: BlockHeader;
        try {
          header = decodeHeader(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
          expect(bytes.length).not.toBe(HEADER_SIZE);
          expect((e as DecodeError).code).toBe(bytes.length < HEADER_SIZE ? 'truncated' : 'trailing-bytes');
          return;
        }
        expect(bytes.length).toBe(HEADER_SIZE);
        expect(encodeHeader(header)).toEqual(bytes);
      }),
      { numRuns: 2000 },
    );
  });
});
