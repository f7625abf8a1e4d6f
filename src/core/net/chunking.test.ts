import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesEqual, bytesToHex, hexToBytes } from '../encoding/hex.ts';
import { WIRE_LIMITS, type Message } from './messages.ts';
import { CHUNK_HEADER_SIZE, DEFAULT_STALL_MS, FIRST_CHUNK_HEADER_SIZE, Reassembler, splitMessage, type ChunkErrorReason, type ReassemblyResult } from './chunking.ts';
import { decodeMessage, encodeMessage } from './wire-codec.ts';

/** A chunk built by hand: id, index, count, optional totalLength, payload. */
function chunk(id: number, index: number, count: number, total: number | undefined, payload: Uint8Array | number): Uint8Array {
  const body = typeof payload === 'number' ? new Uint8Array(payload).fill(0xab) : payload;
  const headerSize = total === undefined ? CHUNK_HEADER_SIZE : FIRST_CHUNK_HEADER_SIZE;
  const out = new Uint8Array(headerSize + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, id, true);
  view.setUint16(4, index, true);
  view.setUint16(6, count, true);
  if (total !== undefined) view.setUint32(8, total, true);
  out.set(body, headerSize);
  return out;
}

function pushAll(r: Reassembler, chunks: Uint8Array[], now = 0): ReassemblyResult[] {
  return chunks.map((c) => r.push(c, now));
}

function expectError(result: ReassemblyResult | undefined, reason: ChunkErrorReason): void {
  expect(result?.kind).toBe('error');
  if (result?.kind === 'error') expect(result.reason, result.detail).toBe(reason);
}

const randomBytes = (n: number, seed = 1) => {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
};

/** The reassembler still takes a fresh message whole. */
function expectRecovers(r: Reassembler, id = 99, size = 40_000): void {
  const message = randomBytes(size, id);
  const results = pushAll(r, splitMessage(message, id));
  expect(results.slice(0, -1).every((x) => x.kind === 'pending')).toBe(true);
  const last = results.at(-1)!;
  expect(last.kind).toBe('message');
  // bytesEqual: toEqual on large typed arrays is slow.
  expect(last.kind === 'message' && bytesEqual(last.bytes, message)).toBe(true);
  expect(r.inProgress).toBe(false);
}

describe('splitMessage', () => {
  it('behavior: a small message is one chunk with the first-chunk header (the documented example)', () => {
    const ping = encodeMessage({ type: 'ping', nonce: 0x0123456789abcdefn }, 2);
    const chunks = splitMessage(ping, 7);
    expect(chunks.map(bytesToHex)).toEqual(['07000000' + '0000' + '0100' + '0e000000' + '746162630203efcdab8967452301']);
  });

  it('behavior: chunks are filled to maxChunkSize, header included', () => {
    const firstRoom = WIRE_LIMITS.maxChunkSize - FIRST_CHUNK_HEADER_SIZE;
    const room = WIRE_LIMITS.maxChunkSize - CHUNK_HEADER_SIZE;
    expect(splitMessage(new Uint8Array(firstRoom), 1)).toHaveLength(1);
    expect(splitMessage(new Uint8Array(firstRoom + 1), 1)).toHaveLength(2);
    expect(splitMessage(new Uint8Array(firstRoom + room), 1)).toHaveLength(2);
    expect(splitMessage(new Uint8Array(firstRoom + room + 1), 1)).toHaveLength(3);
    const chunks = splitMessage(new Uint8Array(WIRE_LIMITS.maxMessageSize), 0xffffffff);
    expect(chunks).toHaveLength(65);
    expect(chunks.slice(0, -1).every((c) => c.length === WIRE_LIMITS.maxChunkSize)).toBe(true);
    expect(bytesToHex(chunks[1]!.subarray(0, 8))).toBe('ffffffff' + '0100' + '4100');
  });

  it('error: an empty message, one above maxMessageSize, a bad id or chunk size is a RangeError', () => {
    expect(() => splitMessage(new Uint8Array(), 1)).toThrow(RangeError);
    expect(() => splitMessage(new Uint8Array(WIRE_LIMITS.maxMessageSize + 1), 1)).toThrow(RangeError);
    expect(() => splitMessage(new Uint8Array(1), -1)).toThrow(RangeError);
    expect(() => splitMessage(new Uint8Array(1), 2 ** 32)).toThrow(RangeError);
    expect(() => splitMessage(new Uint8Array(1), 1, FIRST_CHUNK_HEADER_SIZE)).toThrow(RangeError);
    expect(() => splitMessage(new Uint8Array(1), 1, WIRE_LIMITS.maxChunkSize + 1)).toThrow(RangeError);
    expect(() => splitMessage(new Uint8Array(400_000), 1, FIRST_CHUNK_HEADER_SIZE + 1)).toThrow(RangeError);
  });
});

describe('Reassembler', () => {
  it('behavior: test-plan E.28: a 300 KB block message arrives whole through split and reassemble', () => {
    const block = randomBytes(300_000);
    const frame = encodeMessage({ type: 'block', block });
    const chunks = splitMessage(frame, 42);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((c) => c.length <= WIRE_LIMITS.maxChunkSize)).toBe(true);
    const r = new Reassembler();
    const results = pushAll(r, chunks);
    expect(results.slice(0, -1).every((x) => x.kind === 'pending')).toBe(true);
    expect(r.inProgress).toBe(false);
    const last = results.at(-1)!;
    expect(last.kind).toBe('message');
    if (last.kind !== 'message') return;
    expect(bytesEqual(last.bytes, frame)).toBe(true);
    const decoded = decodeMessage(last.bytes) as Extract<Message, { type: 'block' }>;
    expect(decoded.type).toBe('block');
    expect(bytesEqual(decoded.block, block)).toBe(true);
  });

  it('behavior: any message round-trips at any chunk size, and consecutive messages follow each other', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 3000 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: FIRST_CHUNK_HEADER_SIZE + 1, max: 600 }),
        fc.nat(),
        (messages, size, firstId) => {
          const r = new Reassembler();
          messages.forEach((message, i) => {
            const chunks = splitMessage(message, (firstId + i) >>> 0, size);
            expect(chunks.every((c) => c.length <= size)).toBe(true);
            const results = pushAll(r, chunks);
            expect(results.slice(0, -1).every((x) => x.kind === 'pending')).toBe(true);
            const last = results.at(-1)!;
            expect(last.kind === 'message' && bytesEqual(last.bytes, message)).toBe(true);
          });
          expect(r.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('behavior: a completed message frees its buffer', () => {
    const r = new Reassembler();
    const chunks = splitMessage(randomBytes(50_000), 1);
    r.push(chunks[0]!, 0);
    expect(r.inProgress).toBe(true);
    expect(r.bufferedBytes).toBe(50_000);
    pushAll(r, chunks.slice(1));
    expect(r.inProgress).toBe(false);
    expect(r.bufferedBytes).toBe(0);
  });

  it('behavior: the returned message does not alias the chunk it came in', () => {
    const c = chunk(1, 0, 1, 3, hexToBytes('010203'));
    const result = new Reassembler().push(c, 0);
    c.fill(0);
    expect(result).toEqual({ kind: 'message', bytes: hexToBytes('010203') });
  });

  it('behavior: chunks in a view at an offset of a larger buffer are read correctly', () => {
    const c = chunk(5, 0, 1, 2, hexToBytes('aabb'));
    const big = new Uint8Array(c.length + 3);
    big.set(c, 3);
    expect(new Reassembler().push(big.subarray(3), 0)).toEqual({ kind: 'message', bytes: hexToBytes('aabb') });
  });

  describe('error: bad chunk headers', () => {
    const cases: [string, Uint8Array[], ChunkErrorReason][] = [
      ['a chunk shorter than the 8-byte header', [new Uint8Array(7)], 'bad-chunk-header'],
      ['an empty chunk', [new Uint8Array(0)], 'bad-chunk-header'],
      ['a first chunk without totalLength', [chunk(1, 0, 2, undefined, 2)], 'bad-chunk-header'],
      ['count 0', [chunk(1, 0, 0, 10, 10)], 'bad-chunk-header'],
      ['index ≥ count', [chunk(1, 2, 2, undefined, 10)], 'bad-chunk-header'],
      ['totalLength 0', [chunk(1, 0, 1, 0, 0)], 'bad-chunk-header'],
      ['an empty first payload', [chunk(1, 0, 2, 10, 0)], 'bad-chunk-header'],
      ['an empty later payload', [chunk(1, 0, 3, 10, 5), chunk(1, 1, 3, undefined, 0)], 'bad-chunk-header'],
      ['a count that changes', [chunk(1, 0, 3, 30, 10), chunk(1, 1, 4, undefined, 10)], 'bad-chunk-header'],
    ];
    it.each(cases)('error: %s → the reason, then the reassembler recovers', (_name, chunks, reason) => {
      const r = new Reassembler();
      const results = pushAll(r, chunks);
      expectError(results.at(-1), reason);
      expect(r.bufferedBytes).toBe(0);
      expectRecovers(r);
    });
  });

  it('error: test-plan E.28: a totalLength above maxMessageSize is oversize on the first chunk, before allocating', () => {
    const r = new Reassembler();
    expectError(r.push(chunk(1, 0, 100, WIRE_LIMITS.maxMessageSize + 1, 100), 0), 'oversize');
    expectError(r.push(chunk(1, 0, 2, 0xffffffff, 100), 0), 'oversize');
    expect(r.bufferedBytes).toBe(0);
    expectRecovers(r);
  });

  it('error: a chunk above maxChunkSize is oversize, and drops the message under way', () => {
    const r = new Reassembler();
    expect(r.push(chunk(1, 0, 3, 40_000, 16_000), 0).kind).toBe('pending');
    expectError(r.push(chunk(1, 1, 3, undefined, WIRE_LIMITS.maxChunkSize - CHUNK_HEADER_SIZE + 1), 0), 'oversize');
    expect(r.inProgress).toBe(false);
    expectRecovers(r);
  });

  it('error: test-plan E.28: a stalled sequence is stalled after stallMs without a chunk', () => {
    const r = new Reassembler();
    const chunks = splitMessage(randomBytes(50_000), 3);
    expect(r.push(chunks[0]!, 1_000).kind).toBe('pending');
    expect(r.push(chunks[1]!, 5_000).kind).toBe('pending');
    expect(r.expire(5_000 + DEFAULT_STALL_MS - 1)).toBeUndefined();
    expect(r.inProgress).toBe(true);
    expectError(r.expire(5_000 + DEFAULT_STALL_MS), 'stalled');
    expect(r.inProgress).toBe(false);
    expect(r.bufferedBytes).toBe(0);
    // The rest of the dropped message is out of order now.
    expectError(r.push(chunks[2]!, 20_000), 'out-of-order');
    expectRecovers(r);
  });

  it('behavior: expire with nothing under way reports nothing', () => {
    const r = new Reassembler({ stallMs: 50 });
    expect(r.expire(1e12)).toBeUndefined();
    r.push(chunk(1, 0, 2, 20, 10), 0);
    expect(r.expire(49)).toBeUndefined();
    expectError(r.expire(50), 'stalled');
    expect(r.expire(100)).toBeUndefined();
  });

  it('error: test-plan E.28: a chunk of another message before the current one completes is interleaved', () => {
    const r = new Reassembler();
    const a = splitMessage(randomBytes(40_000, 1), 1);
    const b = splitMessage(randomBytes(40_000, 2), 2);
    expect(r.push(a[0]!, 0).kind).toBe('pending');
    expectError(r.push(b[0]!, 0), 'interleaved');
    expect(r.inProgress).toBe(false);
    expectRecovers(r);
  });

  it('error: a missing chunk is out-of-order', () => {
    const r = new Reassembler();
    const chunks = splitMessage(randomBytes(50_000), 4);
    r.push(chunks[0]!, 0);
    expectError(r.push(chunks[2]!, 0), 'out-of-order');
    expectRecovers(r);
  });

  it('error: a repeated chunk, or a first chunk again mid-message, is out-of-order', () => {
    const r = new Reassembler();
    const chunks = splitMessage(randomBytes(50_000), 4);
    r.push(chunks[0]!, 0);
    r.push(chunks[1]!, 0);
    expectError(r.push(chunks[1]!, 0), 'out-of-order');
    r.push(chunks[0]!, 0);
    expectError(r.push(chunks[0]!, 0), 'out-of-order');
    expectRecovers(r);
  });

  it('error: a non-first chunk with nothing under way is out-of-order', () => {
    const r = new Reassembler();
    expectError(r.push(chunk(1, 1, 2, undefined, 10), 0), 'out-of-order');
    expectRecovers(r);
  });

  it('error: an extra chunk after a complete message is refused', () => {
    const r = new Reassembler();
    const chunks = splitMessage(randomBytes(20_000), 5);
    expect(pushAll(r, chunks).at(-1)!.kind).toBe('message');
    // The same count, one index past it: the header itself is wrong.
    expectError(r.push(chunk(5, 2, 2, undefined, 10), 0), 'bad-chunk-header');
    expectRecovers(r);
  });

  describe('error: chunks adding up to more or less than totalLength are length-mismatch', () => {
    const cases: [string, Uint8Array[]][] = [
      ['a single chunk shorter than totalLength', [chunk(1, 0, 1, 11, 10)]],
      ['a single chunk longer than totalLength', [chunk(1, 0, 1, 9, 10)]],
      ['a last chunk short of totalLength (a chunk missing)', [chunk(1, 0, 2, 30, 10), chunk(1, 1, 2, undefined, 10)]],
      ['a chunk past totalLength', [chunk(1, 0, 3, 15, 10), chunk(1, 1, 3, undefined, 10)]],
      ['totalLength reached with chunks still to come (an extra chunk)', [chunk(1, 0, 3, 20, 10), chunk(1, 1, 3, undefined, 10)]],
      ['more chunks declared than bytes', [chunk(1, 0, 12, 10, 1)]],
    ];
    it.each(cases)('error: %s', (_name, chunks) => {
      const r = new Reassembler();
      expectError(pushAll(r, chunks).at(-1), 'length-mismatch');
      expect(r.bufferedBytes).toBe(0);
      expectRecovers(r);
    });
  });

  it('behavior: reset drops the message under way (the channel closed)', () => {
    const r = new Reassembler();
    r.push(splitMessage(randomBytes(40_000), 1)[0]!, 0);
    r.reset();
    expect(r.inProgress).toBe(false);
    expectRecovers(r);
  });

  it('error: random chunks never throw, and a clean message always follows', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 20 }), (chunks, small) => {
        const r = new Reassembler({ maxMessageSize: 4096 });
        chunks.forEach((c, i) => {
          // Make some chunks plausible: small counts and lengths so deeper states are reached.
          if (c.length >= 12 && small[i] !== undefined) {
            const view = new DataView(c.buffer);
            view.setUint32(0, 1, true);
            view.setUint16(6, small[i]! + 1, true);
            view.setUint16(4, Math.min(view.getUint16(4, true) % 4, small[i]!), true);
            view.setUint32(8, view.getUint32(8, true) % 256, true);
          }
          const result = r.push(c, i);
          expect(['message', 'pending', 'error']).toContain(result.kind);
        });
        r.reset();
        expectRecovers(r, 7, 3000);
      }),
      { numRuns: 2000 },
    );
  });
});
