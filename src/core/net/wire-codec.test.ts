import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, type DecodeErrorCode } from '../encoding/decode-error.ts';
import { bytesToHex, hexToBytes } from '../encoding/hex.ts';
import type { BlockHeader } from '../primitives/header.ts';
import { INV_BLOCK, INV_CMPCT_BLOCK, INV_TX, PROTOCOL_VERSION, WIRE_LIMITS, type InvItem, type Message, type MessageType } from './messages.ts';
import { FRAME_HEADER_SIZE, MESSAGE_TYPE_CODES, decodeMessage, encodeMessage, peekHeader } from './wire-codec.ts';
import { expectDecodeError } from '../testing/decode-errors.ts';

/** The DecodeError a message's bytes get, with its code (and offset). */
function expectMessageError(bytes: Uint8Array, code: DecodeErrorCode, offset?: number): DecodeError {
  return expectDecodeError(() => decodeMessage(bytes), code, offset);
}

const hex = (s: string) => hexToBytes(s.replace(/\s+/g, ''));
/** A signal's public key, time and signature (their values do not matter to the codec). */
const SIGNAL_PROOF = `${'21'.repeat(32)} 00f15365 ${'5a'.repeat(64)}`;
const frame = (type: number, payloadHex = '') => hex(`74616263 ${PROTOCOL_VERSION.toString(16).padStart(2, '0')} ${type.toString(16).padStart(2, '0')} ${payloadHex}`);
const fill = (byte: number, n: number) => new Uint8Array(n).fill(byte);

// ---- Arbitraries ------------------------------------------------------------------------------

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytesN = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const hash32 = bytesN(32);
const peerIdArb = bytesN(16).map(bytesToHex);
const utf8Length = (s: string) => new TextEncoder().encode(s).length;
/** Any well-formed string (astral code points included) of at most `maxBytes` UTF-8 bytes. */
const textArb = (maxBytes: number, maxLength = 40) =>
  fc.oneof(fc.string({ unit: 'binary', maxLength }), fc.string({ maxLength })).filter((s) => utf8Length(s) <= maxBytes);
const headerArb: fc.Arbitrary<BlockHeader> = fc.record({ version: u32, prevHash: hash32, merkleRoot: hash32, time: u32, bits: u32, nonce: u32 });
const invItemArb: fc.Arbitrary<InvItem> = fc.record({ kind: fc.constantFrom(INV_TX, INV_BLOCK), hash: hash32 });
const workArb = fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 1n << 64n }), fc.bigInt({ min: 0n, max: (1n << 264n) - 1n }));
const signalDataArb = fc.oneof(fc.json({ maxDepth: 3 }), textArb(WIRE_LIMITS.maxSignalData, 200));

const arbitraries: { [T in MessageType]: fc.Arbitrary<Extract<Message, { type: T }>> } = {
  version: fc.record({
    type: fc.constant('version'),
    protocolVersion: u32,
    networkId: hash32,
    height: u32,
    tipHash: hash32,
    totalWork: workArb,
    publicKey: hash32,
    nonce: hash32,
    userAgent: textArb(WIRE_LIMITS.maxUserAgent, 16),
  }),
  verack: fc.record({ type: fc.constant('verack'), signature: bytesN(64) }),
  ping: fc.record({ type: fc.constant('ping'), nonce: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }),
  pong: fc.record({ type: fc.constant('pong'), nonce: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }),
  getheaders: fc.record({ type: fc.constant('getheaders'), locator: fc.array(hash32, { maxLength: WIRE_LIMITS.maxLocator }), stopHash: hash32 }),
  headers: fc.record({ type: fc.constant('headers'), headers: fc.array(headerArb, { maxLength: 12 }) }),
  inv: fc.record({ type: fc.constant('inv'), items: fc.array(invItemArb, { maxLength: 12 }) }),
  getdata: fc.record({ type: fc.constant('getdata'), items: fc.array(invItemArb, { maxLength: 12 }) }),
  notfound: fc.record({ type: fc.constant('notfound'), items: fc.array(invItemArb, { maxLength: 12 }) }),
  block: fc.record({ type: fc.constant('block'), block: fc.uint8Array({ minLength: 1, maxLength: 600 }) }),
  tx: fc.record({ type: fc.constant('tx'), tx: fc.uint8Array({ minLength: 1, maxLength: 300 }) }),
  peers: fc.record({ type: fc.constant('peers'), peers: fc.array(peerIdArb, { maxLength: WIRE_LIMITS.maxPeerList }) }),
  signal: fc.record({
    type: fc.constant('signal'),
    from: peerIdArb,
    to: peerIdArb,
    hops: fc.integer({ min: 0, max: WIRE_LIMITS.maxSignalHops }),
    publicKey: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    time: fc.integer({ min: 0, max: 0xffffffff }),
    signature: fc.uint8Array({ minLength: 64, maxLength: 64 }),
    data: signalDataArb,
  }),
  sendcmpct: fc.record({ type: fc.constant('sendcmpct'), highBandwidth: fc.boolean(), version: u32 }),
  cmpctblock: fc
    .record({
      header: headerArb,
      nonce: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
      shortIds: fc.array(fc.integer({ min: 0, max: 2 ** 48 - 1 }), { maxLength: 20 }),
      prefilled: fc.array(fc.record({ gap: fc.integer({ min: 0, max: 3 }), tx: fc.uint8Array({ minLength: 1, maxLength: 40 }) }), { minLength: 1, maxLength: 5 }),
    })
    .map(({ header, nonce, shortIds, prefilled }) => {
      let index = -1;
      const placed = prefilled.map((p) => ({ index: (index += p.gap + 1), tx: p.tx }));
      // Positions must fall inside the block: the short ids fill the rest.
      const total = Math.max(index + 1, shortIds.length + placed.length);
      const ids = [...shortIds, ...Array.from({ length: total - shortIds.length - placed.length }, (_, i) => i)];
      return { type: 'cmpctblock' as const, header, nonce, shortIds: ids, prefilled: placed };
    }),
  getblocktxn: fc.record({
    type: fc.constant('getblocktxn'),
    blockHash: hash32,
    indexes: fc.uniqueArray(fc.integer({ min: 0, max: WIRE_LIMITS.maxCompactTxs - 1 }), { minLength: 1, maxLength: 30 }).map((a) => a.sort((x, y) => x - y)),
  }),
  blocktxn: fc.record({ type: fc.constant('blocktxn'), blockHash: hash32, txs: fc.array(fc.uint8Array({ minLength: 1, maxLength: 60 }), { maxLength: 8 }) }),
};
const messageArb: fc.Arbitrary<Message> = fc.oneof(...Object.values(arbitraries));

/** One valid message of each type whose every proper prefix is refused (block/tx take "the rest"). */
const samples: Message[] = [
  {
    type: 'version',
    protocolVersion: 1,
    networkId: fill(0x11, 32),
    height: 100,
    tipHash: fill(0x22, 32),
    totalWork: 256n,
    publicKey: fill(0x33, 32),
    nonce: fill(0x44, 32),
    userAgent: 'tabchain/0.1.0',
  },
  { type: 'verack', signature: fill(0x55, 64) },
  { type: 'ping', nonce: 0x0123456789abcdefn },
  { type: 'pong', nonce: 0x0123456789abcdefn },
  { type: 'getheaders', locator: [fill(0xaa, 32), fill(0xbb, 32)], stopHash: new Uint8Array(32) },
  { type: 'headers', headers: [{ version: 1, prevHash: fill(1, 32), merkleRoot: fill(2, 32), time: 1_700_000_000, bits: 0x1d00ffff, nonce: 42 }] },
  { type: 'inv', items: [{ kind: INV_BLOCK, hash: fill(0x66, 32) }, { kind: INV_TX, hash: fill(0x77, 32) }] },
  { type: 'getdata', items: [{ kind: INV_TX, hash: fill(0x77, 32) }] },
  { type: 'notfound', items: [{ kind: INV_BLOCK, hash: fill(0x66, 32) }] },
  { type: 'block', block: hex('deadbeef') },
  { type: 'tx', tx: hex('c0ffee') },
  { type: 'peers', peers: ['00112233445566778899aabbccddeeff'] },
  { type: 'signal', from: '00112233445566778899aabbccddeeff', to: 'ffeeddccbbaa99887766554433221100', hops: 1, publicKey: fill(0x21, 32), time: 1_700_000_000, signature: fill(0x5a, 64), data: '{"type":"offer"}' },
  { type: 'sendcmpct', highBandwidth: true, version: 1 },
  {
    type: 'cmpctblock',
    header: { version: 1, prevHash: fill(1, 32), merkleRoot: fill(2, 32), time: 1_700_000_000, bits: 0x1d00ffff, nonce: 42 },
    nonce: 0x0102030405060708n,
    shortIds: [0x0000aabbccddeeff, 1],
    prefilled: [{ index: 0, tx: hex('c0ffee') }, { index: 2, tx: hex('beef') }],
  },
  { type: 'getblocktxn', blockHash: fill(0x66, 32), indexes: [1, 2, 5] },
  { type: 'blocktxn', blockHash: fill(0x66, 32), txs: [hex('c0ffee'), hex('beef')] },
];
const cmpctSample = samples[14] as Extract<Message, { type: 'cmpctblock' }>;
const HEADER_HEX = `01000000 ${'01'.repeat(32)} ${'02'.repeat(32)} 00f15365 ffff001d 2a000000`;

// ---- Round trips ------------------------------------------------------------------------------

describe('encodeMessage / decodeMessage round trip', () => {
  it('behavior: the type codes are the documented, stable numbers', () => {
    expect(MESSAGE_TYPE_CODES).toEqual({
      version: 1, verack: 2, ping: 3, pong: 4, getheaders: 5, headers: 6, inv: 7, getdata: 8, notfound: 9, block: 10, tx: 11, peers: 12, signal: 13,
      sendcmpct: 14, cmpctblock: 15, getblocktxn: 16, blocktxn: 17,
    });
  });

  it.each(Object.keys(arbitraries) as MessageType[])('behavior: every %s message round-trips', (type) => {
    fc.assert(
      fc.property(arbitraries[type], (m) => {
        const bytes = encodeMessage(m);
        expect(bytes[5]).toBe(MESSAGE_TYPE_CODES[type]);
        expect(decodeMessage(bytes)).toEqual(m);
      }),
      { numRuns: 200 },
    );
  });

  it('behavior: every list at exactly its limit round-trips', () => {
    const header: BlockHeader = { version: 2, prevHash: fill(3, 32), merkleRoot: fill(4, 32), time: 5, bits: 6, nonce: 7 };
    const atLimit: Message[] = [
      { type: 'headers', headers: Array.from({ length: WIRE_LIMITS.maxHeaders }, () => header) },
      { type: 'inv', items: Array.from({ length: WIRE_LIMITS.maxInv }, () => ({ kind: INV_TX, hash: fill(9, 32) })) },
      { type: 'getheaders', locator: Array.from({ length: WIRE_LIMITS.maxLocator }, () => fill(8, 32)), stopHash: fill(0, 32) },
      { type: 'peers', peers: Array.from({ length: WIRE_LIMITS.maxPeerList }, () => 'ab'.repeat(16)) },
      { type: 'signal', from: 'ab'.repeat(16), to: 'cd'.repeat(16), hops: WIRE_LIMITS.maxSignalHops, publicKey: fill(0x21, 32), time: 1_700_000_000, signature: fill(0x5a, 64), data: 'x'.repeat(WIRE_LIMITS.maxSignalData) },
      { ...(samples[0] as Extract<Message, { type: 'version' }>), userAgent: 'é'.repeat(WIRE_LIMITS.maxUserAgent / 2), totalWork: (1n << 264n) - 1n },
      { type: 'block', block: fill(1, WIRE_LIMITS.maxMessageSize - FRAME_HEADER_SIZE) },
    ];
    for (const m of atLimit) expect(decodeMessage(encodeMessage(m))).toEqual(m);
  });

  it('behavior: a byte-order mark at the start of text is kept', () => {
    const m: Message = { ...(samples[0] as Extract<Message, { type: 'version' }>), userAgent: '\ufefftab' };
    expect(decodeMessage(encodeMessage(m))).toEqual(m);
  });

  it('behavior: decoding copies, so the message never aliases the received buffer', () => {
    const bytes = encodeMessage({ type: 'block', block: hex('01020304') });
    const m = decodeMessage(bytes) as Extract<Message, { type: 'block' }>;
    bytes.fill(0);
    expect(bytesToHex(m.block)).toBe('01020304');
  });
});

// ---- Pinned encodings (the examples of docs/protocol.md) --------------------------------------

describe('pinned encodings', () => {
  const pinned: [string, Message, string][] = [
    ['ping', { type: 'ping', nonce: 0x0123456789abcdefn }, '74616263 02 03 efcdab8967452301'],
    ['pong', { type: 'pong', nonce: 1n }, '74616263 02 04 0100000000000000'],
    ['verack', { type: 'verack', signature: fill(0x55, 64) }, `74616263 02 02 ${'55'.repeat(64)}`],
    [
      'version',
      samples[0]!,
      `74616263 02 01 01000000 ${'11'.repeat(32)} 64000000 ${'22'.repeat(32)} 020100 ${'33'.repeat(32)} ${'44'.repeat(32)} 0e 746162636861696e2f302e312e30`,
    ],
    ['getheaders', samples[4]!, `74616263 02 05 02 ${'aa'.repeat(32)} ${'bb'.repeat(32)} ${'00'.repeat(32)}`],
    ['empty headers', { type: 'headers', headers: [] }, '74616263 02 06 00'],
    [
      'headers',
      samples[5]!,
      `74616263 02 06 01 01000000 ${'01'.repeat(32)} ${'02'.repeat(32)} 00f15365 ffff001d 2a000000`,
    ],
    ['inv', samples[6]!, `74616263 02 07 02 02 ${'66'.repeat(32)} 01 ${'77'.repeat(32)}`],
    ['getdata', samples[7]!, `74616263 02 08 01 01 ${'77'.repeat(32)}`],
    ['notfound', samples[8]!, `74616263 02 09 01 02 ${'66'.repeat(32)}`],
    ['block', samples[9]!, '74616263 02 0a deadbeef'],
    ['tx', samples[10]!, '74616263 02 0b c0ffee'],
    ['peers', samples[11]!, '74616263 02 0c 01 00112233445566778899aabbccddeeff'],
    [
      'signal',
      samples[12]!,
      `74616263 02 0d 00112233445566778899aabbccddeeff ffeeddccbbaa99887766554433221100 01 ${'21'.repeat(32)} 00f15365 ${'5a'.repeat(64)} 10 7b2274797065223a226f66666572227d`,
    ],
    ['zero totalWork', { ...(samples[0] as Extract<Message, { type: 'version' }>), totalWork: 0n, userAgent: '' }, `74616263 02 01 01000000 ${'11'.repeat(32)} 64000000 ${'22'.repeat(32)} 00 ${'33'.repeat(32)} ${'44'.repeat(32)} 00`],
  ];

  it.each(pinned)('behavior: %s encodes to the documented bytes (a version 2 frame, as before version 3)', (_name, m, expected) => {
    expect(bytesToHex(encodeMessage(m, 2))).toBe(expected.replace(/\s+/g, ''));
    expect(decodeMessage(hex(expected))).toEqual(m);
  });

  const pinnedV3: [string, Message, string][] = [
    ['ping', samples[2]!, '74616263 03 03 efcdab8967452301'],
    ['sendcmpct', samples[13]!, '74616263 03 0e 01 01000000'],
    // header · nonce · 2 short ids of 6 bytes · 2 prefilled: position 0 (gap 0), position 2 (gap 1).
    ['cmpctblock', cmpctSample, `74616263 03 0f ${HEADER_HEX} 0807060504030201 02 ffeeddccbbaa 010000000000 02 00 03c0ffee 01 02beef`],
    ['getblocktxn', samples[15]!, `74616263 03 10 ${'66'.repeat(32)} 03 01 00 02`],
    ['blocktxn', samples[16]!, `74616263 03 11 ${'66'.repeat(32)} 02 03c0ffee 02beef`],
  ];

  it.each(pinnedV3)('behavior: %s encodes to the documented bytes in a version 3 frame', (_name, m, expected) => {
    expect(bytesToHex(encodeMessage(m, 3))).toBe(expected.replace(/\s+/g, ''));
    expect(decodeMessage(hex(expected))).toEqual(m);
  });

  it('behavior: the compact block messages exist only in frames of version 3', () => {
    for (const m of samples.slice(13)) {
      expect(() => encodeMessage(m, 2)).toThrow(RangeError);
      const bytes = encodeMessage(m, 3);
      bytes[4] = 2;
      expectMessageError(bytes, 'invalid-value', 5);
      expect(peekHeader(bytes)).toEqual({ version: 2, type: bytes[5], name: undefined });
    }
  });

  it('behavior: a count of 253 or more takes the 3-byte CompactSize form', () => {
    const m: Message = { type: 'inv', items: Array.from({ length: 253 }, () => ({ kind: INV_TX, hash: fill(0, 32) })) };
    expect(bytesToHex(encodeMessage(m, 2).subarray(0, 9))).toBe('746162630207fdfd00');
  });
});

// ---- peekHeader -----------------------------------------------------------------------------

describe('peekHeader', () => {
  it('behavior: reads version and type without decoding the payload', () => {
    expect(peekHeader(hex('746162630203efcdab8967452301'))).toEqual({ version: 2, type: 3, name: 'ping' });
    expect(peekHeader(hex('746162630206fdd107'))).toEqual({ version: 2, type: 6, name: 'headers' });
  });

  it('behavior: a frame of another protocol version is recognised as such, with no type name', () => {
    expect(peekHeader(hex('746162630103'))).toEqual({ version: 1, type: 3, name: undefined });
  });

  it('behavior: an unknown type has no name', () => {
    expect(peekHeader(hex('74616263027f'))).toEqual({ version: 2, type: 0x7f, name: undefined });
  });

  it('behavior: what is not a tabchain frame gives undefined', () => {
    expect(peekHeader(new Uint8Array())).toBeUndefined();
    expect(peekHeader(hex('7461626301'))).toBeUndefined();
    expect(peekHeader(hex('746162640103'))).toBeUndefined();
    expect(peekHeader(hex('7b2274797065223a'))).toBeUndefined();
  });
});

// ---- D.23: malformed frames ---------------------------------------------------------------------

describe('test-plan D.23: malformed frames → DecodeError, never another error', () => {
  it.each(samples.filter((m) => m.type !== 'block' && m.type !== 'tx').map((m) => [m.type, m] as const))(
    'error: a %s frame cut at any point is truncated',
    (_type, m) => {
      const bytes = encodeMessage(m);
      for (let cut = 0; cut < bytes.length; cut++) expectMessageError(bytes.subarray(0, cut), 'truncated');
    },
  );

  it('error: a block or tx frame cut before its first payload byte is truncated (a shorter body is for the block decoder)', () => {
    for (const m of [samples[9]!, samples[10]!]) {
      const bytes = encodeMessage(m);
      for (let cut = 0; cut <= FRAME_HEADER_SIZE; cut++) expectMessageError(bytes.subarray(0, cut), 'truncated');
    }
  });

  it('error: the truncation is reported where the frame ran out', () => {
    expectMessageError(hex('746162630203efcdab89'), 'truncated', 6);
    expectMessageError(frame(7, `02 02 ${'66'.repeat(32)}`), 'truncated', 7);
  });

  it('error: an unknown message type is invalid-value at the type byte', () => {
    for (const type of [0, 18, 0x7f, 0xff]) {
      const error = expectMessageError(frame(type, 'efcdab8967452301'), 'invalid-value', 5);
      expect(error.message).toMatch(/unknown message type/);
    }
  });

  it('error: bytes after the message are trailing-bytes', () => {
    for (const m of samples.filter((s) => s.type !== 'block' && s.type !== 'tx')) {
      const bytes = encodeMessage(m);
      const longer = new Uint8Array(bytes.length + 1);
      longer.set(bytes);
      expectMessageError(longer, 'trailing-bytes', bytes.length);
    }
  });

  it('error: a wrong magic is invalid-value, with a message that says so', () => {
    for (const magicHex of ['00000000', '74616264', 'f9beb4d9', '7b227479']) {
      const error = expectMessageError(hex(`${magicHex}0103efcdab8967452301`), 'invalid-value', 0);
      expect(error.message).toMatch(/not a tabchain frame/);
    }
  });

  it('error: a protocol version this node does not speak is invalid-value at the version byte, naming the versions', () => {
    for (const version of [0, 1, 4, 0xff]) {
      const error = expectMessageError(hex(`74616263${version.toString(16).padStart(2, '0')}03efcdab8967452301`), 'invalid-value', 4);
      expect(error.message).toContain(`protocol version ${version}`);
      expect(error.message).toContain(`speaks versions 2 to ${PROTOCOL_VERSION}`);
    }
  });

  it('error: a compact block position past its tx count is invalid-value at that position', () => {
    // Two short ids and one prefilled tx: three positions, so a gap of 3 names position 3.
    const head = `${HEADER_HEX} 0807060504030201 02 ${'00'.repeat(12)} 01`;
    expectMessageError(frame(15, `${head} 03 01aa`), 'invalid-value', 6 + 80 + 8 + 1 + 12 + 1);
    // The second prefilled tx one past the last position.
    expectMessageError(frame(15, `${HEADER_HEX} 0807060504030201 01 ${'00'.repeat(6)} 02 00 01aa 02 01bb`), 'invalid-value', 6 + 80 + 8 + 1 + 6 + 1 + 3);
    expectMessageError(frame(16, `${'66'.repeat(32)} 02 00 fd204e`), 'invalid-value', 6 + 32 + 2);
  });

  it('error: an empty compact block, an empty getblocktxn and an empty prefilled tx are refused', () => {
    expectMessageError(frame(15, `${HEADER_HEX} 0807060504030201 00 00`), 'invalid-value', 6 + 80 + 8 + 1);
    expectMessageError(frame(16, `${'66'.repeat(32)} 00`), 'invalid-value', 6 + 32);
    expectMessageError(frame(15, `${HEADER_HEX} 0807060504030201 00 01 00 00`), 'truncated', 6 + 80 + 8 + 2 + 1);
    expectMessageError(frame(14, '02 01000000'), 'invalid-value', 6);
  });

  it('behavior: a block asked as a compact block (kind 4) is allowed in getdata and notfound of version 3 only', () => {
    const item = { kind: INV_CMPCT_BLOCK, hash: fill(0x66, 32) } as const;
    for (const type of ['getdata', 'notfound'] as const) {
      expect(bytesToHex(encodeMessage({ type, items: [item] }, 3))).toBe(`7461626303${type === 'getdata' ? '08' : '09'}0104${'66'.repeat(32)}`);
      expect(decodeMessage(encodeMessage({ type, items: [item] }, 3))).toEqual({ type, items: [item] });
      expect(() => encodeMessage({ type, items: [item] }, 2)).toThrow(RangeError);
      expectMessageError(hex(`7461626302${type === 'getdata' ? '08' : '09'}0104${'66'.repeat(32)}`), 'invalid-value', 7);
    }
    expect(() => encodeMessage({ type: 'inv', items: [item] }, 3)).toThrow(RangeError);
    expectMessageError(frame(7, `01 04 ${'66'.repeat(32)}`), 'invalid-value', 7);
  });

  it('error: an unknown inventory kind is invalid-value at the kind byte', () => {
    for (const kind of [0, 3, 0xff]) expectMessageError(frame(7, `01 ${kind.toString(16).padStart(2, '0')} ${'66'.repeat(32)}`), 'invalid-value', 7);
  });

  it('error: text that is not UTF-8 is invalid-value', () => {
    const head = `01000000 ${'11'.repeat(32)} 64000000 ${'22'.repeat(32)} 00 ${'33'.repeat(32)} ${'44'.repeat(32)}`;
    for (const bad of ['01 ff', '01 80', '02 c0af', '03 eda080', '02 e282', '04 f4908080']) expectMessageError(frame(1, `${head} ${bad}`), 'invalid-value');
    const signalHead = `${'00'.repeat(16)} ${'11'.repeat(16)} 00 ${SIGNAL_PROOF}`;
    expectMessageError(frame(13, `${signalHead} 01 fe`), 'invalid-value', 6 + 33 + 100);
  });

  it('error: a count not in its shortest form is non-canonical', () => {
    expectMessageError(frame(6, 'fd0000'), 'non-canonical', 6);
    expectMessageError(frame(12, 'fd0100 00112233445566778899aabbccddeeff'), 'non-canonical', 6);
  });

  it('error: a totalWork with a leading zero byte is non-canonical', () => {
    const head = `01000000 ${'11'.repeat(32)} 64000000 ${'22'.repeat(32)}`;
    expectMessageError(frame(1, `${head} 020001 ${'33'.repeat(32)} ${'44'.repeat(32)} 00`), 'non-canonical', 6 + 72);
    expectMessageError(frame(1, `${head} 0100 ${'33'.repeat(32)} ${'44'.repeat(32)} 00`), 'non-canonical', 6 + 72);
  });

  it('error: an empty block or tx message is truncated', () => {
    expectMessageError(frame(10), 'truncated', 6);
    expectMessageError(frame(11), 'truncated', 6);
  });

  it('error: JSON-looking or empty input is refused as not a frame', () => {
    expectMessageError(new TextEncoder().encode('{"__proto__":{"polluted":true}}'), 'invalid-value', 0);
    expectMessageError(new Uint8Array(), 'truncated', 0);
  });

  it('error: decodeMessage throws only DecodeError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          decodeMessage(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('error: decodeMessage throws only DecodeError on a valid header with a random type and payload', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 3 }), fc.integer({ min: 0, max: 19 }), fc.uint8Array({ maxLength: 400 }), (version, type, payload) => {
        const bytes = new Uint8Array(FRAME_HEADER_SIZE + payload.length);
        bytes.set(frame(type));
        bytes[4] = version;
        bytes.set(payload, FRAME_HEADER_SIZE);
        try {
          const m = decodeMessage(bytes);
          expect(encodeMessage(m, version)).toEqual(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  type Mutation = { op: 'set'; at: number; byte: number } | { op: 'cut'; at: number } | { op: 'insert'; at: number; bytes: Uint8Array } | { op: 'delete'; at: number; n: number };
  const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
    fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    fc.record({ op: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 8 }) }),
  );
  function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
    const at = bytes.length === 0 ? 0 : m.at % (bytes.length + 1);
    switch (m.op) {
      case 'set': {
        if (bytes.length === 0) return bytes;
        const out = bytes.slice();
        out[at % bytes.length] = m.byte;
        return out;
      }
      case 'cut':
        return bytes.slice(0, at);
      case 'insert': {
        const out = new Uint8Array(bytes.length + m.bytes.length);
        out.set(bytes.subarray(0, at));
        out.set(m.bytes, at);
        out.set(bytes.subarray(at), at + m.bytes.length);
        return out;
      }
      case 'delete': {
        const head = bytes.subarray(0, at);
        const tail = bytes.subarray(Math.min(bytes.length, at + m.n));
        const out = new Uint8Array(head.length + tail.length);
        out.set(head);
        out.set(tail, head.length);
        return out;
      }
    }
  }

  it('error: mutated valid frames decode to DecodeError or to a message that re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(messageArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (message, mutations) => {
        const bytes = mutations.reduce(mutate, encodeMessage(message));
        let decoded: Message;
        try {
          decoded = decodeMessage(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(DecodeError);
          return;
        }
        // Canonical: whatever decodes is the one encoding of its message (in its frame's version).
        expect(bytesToHex(encodeMessage(decoded, bytes[4]))).toBe(bytesToHex(bytes));
      }),
      { numRuns: 4000 },
    );
  });
});

// ---- D.24: limits, before allocating ----------------------------------------------------------

describe('test-plan D.24: a count or length above its limit → limit-exceeded before allocating', () => {
  it('error: a headers count of 2001 with no bytes after it fails at the count', () => {
    expectMessageError(frame(6, 'fdd107'), 'limit-exceeded', 6);
  });

  it('error: a headers count of 2^32 - 1 or 2^64 - 1 fails at the count', () => {
    expectMessageError(frame(6, 'feffffffff'), 'limit-exceeded', 6);
    expectMessageError(frame(6, 'ffffffffffffffffff'), 'limit-exceeded', 6);
  });

  it('error: every list one above its limit fails at its count', () => {
    const varint = (n: number) => (n < 0xfd ? n.toString(16).padStart(2, '0') : `fd${bytesToHex(new Uint8Array(new Uint16Array([n]).buffer))}`);
    expectMessageError(frame(5, varint(WIRE_LIMITS.maxLocator + 1)), 'limit-exceeded', 6);
    expectMessageError(frame(6, varint(WIRE_LIMITS.maxHeaders + 1)), 'limit-exceeded', 6);
    for (const type of [7, 8, 9]) expectMessageError(frame(type, varint(WIRE_LIMITS.maxInv + 1)), 'limit-exceeded', 6);
    expectMessageError(frame(15, `${HEADER_HEX} 0807060504030201 ${varint(WIRE_LIMITS.maxCompactTxs + 1)}`), 'limit-exceeded', 6 + 88);
    expectMessageError(frame(16, `${'66'.repeat(32)} ${varint(WIRE_LIMITS.maxCompactTxs + 1)}`), 'limit-exceeded', 6 + 32);
    expectMessageError(frame(17, `${'66'.repeat(32)} ${varint(WIRE_LIMITS.maxCompactTxs + 1)}`), 'limit-exceeded', 6 + 32);
    expectMessageError(frame(12, varint(WIRE_LIMITS.maxPeerList + 1)), 'limit-exceeded', 6);
  });

  it('error: a text or totalWork length one above its limit fails at the length', () => {
    const head = `01000000 ${'11'.repeat(32)} 64000000 ${'22'.repeat(32)}`;
    expectMessageError(frame(1, `${head} 22`), 'limit-exceeded', 6 + 72);
    expectMessageError(frame(1, `${head} 00 ${'33'.repeat(32)} ${'44'.repeat(32)} 41`), 'limit-exceeded', 6 + 73 + 64);
    expectMessageError(frame(13, `${'00'.repeat(16)} ${'11'.repeat(16)} 00 ${SIGNAL_PROOF} fe00000100`), 'limit-exceeded', 6 + 33 + 100);
    expectMessageError(frame(13, `${'00'.repeat(16)} ${'11'.repeat(16)} 00 ${SIGNAL_PROOF} fd0140`), 'limit-exceeded', 6 + 33 + 100);
  });

  it('error: signal hops above the hop limit is limit-exceeded', () => {
    expectMessageError(frame(13, `${'00'.repeat(16)} ${'11'.repeat(16)} 04 00`), 'limit-exceeded', 6 + 32);
  });

  it('error: a count within its limit but beyond the bytes left fails right after the count', () => {
    expectMessageError(frame(6, 'fdd007'), 'truncated', 9);
    expectMessageError(frame(7, 'fde803'), 'truncated', 9);
    expectMessageError(frame(5, '40'), 'truncated', 7);
    expectMessageError(frame(12, `02 ${'00'.repeat(31)}`), 'truncated', 7);
    // 20,000 short ids promise 120,000 bytes; 20,000 txs in a blocktxn at least 40,000.
    expectMessageError(frame(15, `${HEADER_HEX} 0807060504030201 fd204e`), 'truncated', 6 + 88 + 3);
    expectMessageError(frame(17, `${'66'.repeat(32)} fd204e 01aa`), 'truncated', 6 + 32 + 3);
  });

  it('error: a frame above maxMessageSize is refused before it is read', () => {
    const bytes = new Uint8Array(WIRE_LIMITS.maxMessageSize + 1);
    bytes.set(frame(10));
    expectMessageError(bytes, 'limit-exceeded', 0);
  });
});

// ---- The encoder refuses what the decoder would ----------------------------------------------

describe('encodeMessage refuses messages the decoder would refuse', () => {
  const version = samples[0] as Extract<Message, { type: 'version' }>;
  const bad: [string, Message][] = [
    ['a short networkId', { ...version, networkId: fill(1, 31) }],
    ['a long public key', { ...version, publicKey: fill(1, 33) }],
    ['a negative totalWork', { ...version, totalWork: -1n }],
    ['a totalWork of 2^264', { ...version, totalWork: 1n << 264n }],
    ['a height above u32', { ...version, height: 2 ** 32 }],
    ['a user agent above the limit', { ...version, userAgent: 'x'.repeat(WIRE_LIMITS.maxUserAgent + 1) }],
    ['a user agent with a lone surrogate', { ...version, userAgent: 'a\ud800b' }],
    ['a short signature', { type: 'verack', signature: fill(1, 63) }],
    ['a negative ping nonce', { type: 'ping', nonce: -1n }],
    ['a pong nonce above u64', { type: 'pong', nonce: 1n << 64n }],
    ['a locator above the limit', { type: 'getheaders', locator: Array.from({ length: WIRE_LIMITS.maxLocator + 1 }, () => fill(0, 32)), stopHash: fill(0, 32) }],
    ['a short stop hash', { type: 'getheaders', locator: [], stopHash: fill(0, 31) }],
    ['headers above the limit', { type: 'headers', headers: Array.from({ length: WIRE_LIMITS.maxHeaders + 1 }, () => ({ version: 1, prevHash: fill(0, 32), merkleRoot: fill(0, 32), time: 0, bits: 0, nonce: 0 })) }],
    ['inv above the limit', { type: 'inv', items: Array.from({ length: WIRE_LIMITS.maxInv + 1 }, () => ({ kind: INV_TX, hash: fill(0, 32) })) }],
    ['an unknown inventory kind', { type: 'getdata', items: [{ kind: 3 as typeof INV_TX, hash: fill(0, 32) }] }],
    ['an empty block', { type: 'block', block: new Uint8Array() }],
    ['an empty tx', { type: 'tx', tx: new Uint8Array() }],
    ['a block above maxMessageSize', { type: 'block', block: new Uint8Array(WIRE_LIMITS.maxMessageSize) }],
    ['an uppercase peer id', { type: 'peers', peers: ['00112233445566778899AABBCCDDEEFF'] }],
    ['a short peer id', { type: 'signal', from: '0011', to: 'ab'.repeat(16), hops: 0, publicKey: fill(0x21, 32), time: 1_700_000_000, signature: fill(0x5a, 64), data: '{}' }],
    ['hops above the limit', { type: 'signal', from: 'ab'.repeat(16), to: 'cd'.repeat(16), hops: WIRE_LIMITS.maxSignalHops + 1, publicKey: fill(0x21, 32), time: 1_700_000_000, signature: fill(0x5a, 64), data: '{}' }],
    ['fractional hops', { type: 'signal', from: 'ab'.repeat(16), to: 'cd'.repeat(16), hops: 0.5, publicKey: fill(0x21, 32), time: 1_700_000_000, signature: fill(0x5a, 64), data: '{}' }],
    ['signal data above the limit', { type: 'signal', from: 'ab'.repeat(16), to: 'cd'.repeat(16), hops: 0, publicKey: fill(0x21, 32), time: 1_700_000_000, signature: fill(0x5a, 64), data: 'x'.repeat(WIRE_LIMITS.maxSignalData + 1) }],
    ['a cmpctblock with no txs', { ...cmpctSample, shortIds: [], prefilled: [] }],
    ['a short id above 48 bits', { ...cmpctSample, shortIds: [2 ** 48] }],
    ['prefilled positions out of order', { ...cmpctSample, prefilled: [cmpctSample.prefilled[1]!, cmpctSample.prefilled[0]!] }],
    ['a prefilled position past the block', { ...cmpctSample, prefilled: [{ index: 4, tx: hex('aa') }] }],
    ['an empty prefilled tx', { ...cmpctSample, prefilled: [{ index: 0, tx: new Uint8Array() }] }],
    ['a getblocktxn asking nothing', { type: 'getblocktxn', blockHash: fill(0, 32), indexes: [] }],
    ['a getblocktxn with a repeated position', { type: 'getblocktxn', blockHash: fill(0, 32), indexes: [3, 3] }],
    ['a blocktxn with an empty tx', { type: 'blocktxn', blockHash: fill(0, 32), txs: [new Uint8Array()] }],
    ['a sendcmpct version above u32', { type: 'sendcmpct', highBandwidth: false, version: 2 ** 32 }],
    ['an unknown type', { type: 'hello' } as unknown as Message],
    ['a prototype key as type', { type: 'constructor' } as unknown as Message],
  ];

  it.each(bad)('error: %s is a RangeError', (_name, m) => {
    expect(() => encodeMessage(m)).toThrow(RangeError);
  });
});
