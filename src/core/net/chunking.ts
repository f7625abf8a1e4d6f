/**
 * @module Chunking (docs/protocol.md, "Chunks"): a message larger than one data-channel send is
 * split into chunks of at most {@link WIRE_LIMITS.maxChunkSize} bytes, header included:
 * ```
 * messageId u32 · index u16 · count u16 · [index 0 only: totalLength u32] · payload
 * ```
 * (little-endian). Every chunk carries at least one payload byte, so `count ≤ totalLength`.
 *
 * Data channels are ordered and reliable, so a channel carries one message at a time, its chunks
 * in order. {@link Reassembler} holds that to the letter: anything else is a protocol error, never
 * a guess. It is pure (the caller passes the time), and holds at most one message's buffer, which
 * it frees when the message completes or fails.
 */
import { WIRE_LIMITS } from './messages.ts';

/** Header of chunks after the first: messageId u32 · index u16 · count u16. */
export const CHUNK_HEADER_SIZE = 8;
/** Header of the first chunk: the above, then totalLength u32. */
export const FIRST_CHUNK_HEADER_SIZE = 12;
/** A message whose next chunk has not come for this long is given up ('stalled'). */
export const DEFAULT_STALL_MS = 10_000;

const MAX_CHUNK_COUNT = 0xffff;

/**
 * The chunks of one message, each at most `maxChunkSize` bytes with its header. Chunks are filled
 * to the limit, so a message up to 16,372 bytes travels in one chunk. `messageId` (u32) is the
 * sender's counter of messages on this channel.
 *
 * Throws RangeError for an empty message, one above maxMessageSize, a bad id or chunk size.
 *
 * @example
 * splitMessage(encodeMessage({ type: 'ping', nonce: 0n }), 7) // one chunk: 07000000 0000 0100 0e000000 74616263…
 */
export function splitMessage(bytes: Uint8Array, messageId: number, maxChunkSize: number = WIRE_LIMITS.maxChunkSize): Uint8Array[] {
  if (bytes.length === 0) throw new RangeError('cannot split an empty message');
  if (bytes.length > WIRE_LIMITS.maxMessageSize) throw new RangeError(`message of ${bytes.length} bytes is above maxMessageSize ${WIRE_LIMITS.maxMessageSize}`);
  if (!Number.isInteger(messageId) || messageId < 0 || messageId > 0xffffffff) throw new RangeError(`message id must be a u32: ${messageId}`);
  if (!Number.isInteger(maxChunkSize) || maxChunkSize <= FIRST_CHUNK_HEADER_SIZE || maxChunkSize > WIRE_LIMITS.maxChunkSize) {
    throw new RangeError(`chunk size must be in ${FIRST_CHUNK_HEADER_SIZE + 1}..${WIRE_LIMITS.maxChunkSize}: ${maxChunkSize}`);
  }
  const firstRoom = maxChunkSize - FIRST_CHUNK_HEADER_SIZE;
  const room = maxChunkSize - CHUNK_HEADER_SIZE;
  const count = bytes.length <= firstRoom ? 1 : 1 + Math.ceil((bytes.length - firstRoom) / room);
  if (count > MAX_CHUNK_COUNT) throw new RangeError(`message needs ${count} chunks, the most is ${MAX_CHUNK_COUNT}`);

  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (let index = 0; index < count; index++) {
    const headerSize = index === 0 ? FIRST_CHUNK_HEADER_SIZE : CHUNK_HEADER_SIZE;
    const payload = bytes.subarray(offset, offset + maxChunkSize - headerSize);
    const chunk = new Uint8Array(headerSize + payload.length);
    const view = new DataView(chunk.buffer);
    view.setUint32(0, messageId, true);
    view.setUint16(4, index, true);
    view.setUint16(6, count, true);
    if (index === 0) view.setUint32(8, bytes.length, true);
    chunk.set(payload, headerSize);
    chunks.push(chunk);
    offset += payload.length;
  }
  return chunks;
}

/** Why a chunk sequence was refused. */
export type ChunkErrorReason =
  /** A chunk too short for its header, count 0, index ≥ count, totalLength 0, an empty payload, or a count that changed. */
  | 'bad-chunk-header'
  /** A chunk above maxChunkSize, or a totalLength above maxMessageSize (refused before allocating). */
  | 'oversize'
  /** A chunk other than the next one of the current message (or a non-first chunk with no message under way). */
  | 'out-of-order'
  /** A chunk of another message before the current one completed. */
  | 'interleaved'
  /** The chunks carry more or fewer bytes than totalLength (or than `count` chunks can). */
  | 'length-mismatch'
  /** No chunk of the current message for stallMs (reported by `expire`). */
  | 'stalled';

export interface ChunkError {
  readonly kind: 'error';
  readonly reason: ChunkErrorReason;
  /** For logs. */
  readonly detail: string;
}

export type ReassemblyResult = { readonly kind: 'message'; readonly bytes: Uint8Array } | { readonly kind: 'pending' } | ChunkError;

export interface ReassemblerOptions {
  readonly maxChunkSize?: number;
  readonly maxMessageSize?: number;
  /** Default {@link DEFAULT_STALL_MS}. */
  readonly stallMs?: number;
}

interface InProgress {
  readonly id: number;
  readonly count: number;
  readonly buffer: Uint8Array;
  received: number;
  next: number;
  lastAt: number;
}

const PENDING: ReassemblyResult = { kind: 'pending' };

/**
 * Turns the chunks of one data channel back into messages. After an error the message under way
 * is dropped and the reassembler waits for the first chunk of a new message, so it recovers; the
 * link layer decides whether the peer deserves another chance (docs/protocol.md: it does not).
 *
 * @example
 * const r = new Reassembler();
 * for (const chunk of splitMessage(frame, 1)) {
 *   const result = r.push(chunk, now);
 *   if (result.kind === 'message') handle(decodeMessage(result.bytes));
 *   else if (result.kind === 'error') dropPeer(result.reason);
 * }
 */
export class Reassembler {
  private readonly maxChunkSize: number;
  private readonly maxMessageSize: number;
  private readonly stallMs: number;
  private current: InProgress | undefined;

  constructor(options: ReassemblerOptions = {}) {
    this.maxChunkSize = options.maxChunkSize ?? WIRE_LIMITS.maxChunkSize;
    this.maxMessageSize = options.maxMessageSize ?? WIRE_LIMITS.maxMessageSize;
    this.stallMs = options.stallMs ?? DEFAULT_STALL_MS;
  }

  /** True while a message is partly received. */
  get inProgress(): boolean {
    return this.current !== undefined;
  }

  /** Bytes held for the message under way (its whole totalLength), 0 when idle. */
  get bufferedBytes(): number {
    return this.current?.buffer.length ?? 0;
  }

  /** Drops the message under way (the channel closed). */
  reset(): void {
    this.current = undefined;
  }

  /** Takes the next chunk received at `now` (ms): a whole message, pending, or an error. */
  push(chunk: Uint8Array, now: number): ReassemblyResult {
    if (chunk.length > this.maxChunkSize) return this.fail('oversize', `chunk of ${chunk.length} bytes is above ${this.maxChunkSize}`);
    if (chunk.length < CHUNK_HEADER_SIZE) return this.fail('bad-chunk-header', `chunk of ${chunk.length} bytes is shorter than its header`);
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const id = view.getUint32(0, true);
    const index = view.getUint16(4, true);
    const count = view.getUint16(6, true);
    if (count === 0) return this.fail('bad-chunk-header', 'chunk count 0');
    if (index >= count) return this.fail('bad-chunk-header', `chunk index ${index} of ${count}`);

    const current = this.current;
    if (current === undefined) {
      if (index !== 0) return this.fail('out-of-order', `chunk ${index} of message ${id} with no message under way`);
      if (chunk.length < FIRST_CHUNK_HEADER_SIZE) return this.fail('bad-chunk-header', `first chunk of ${chunk.length} bytes has no totalLength`);
      const total = view.getUint32(8, true);
      if (total === 0) return this.fail('bad-chunk-header', 'totalLength 0');
      if (total > this.maxMessageSize) return this.fail('oversize', `totalLength ${total} is above ${this.maxMessageSize}`);
      const payload = chunk.subarray(FIRST_CHUNK_HEADER_SIZE);
      if (payload.length === 0) return this.fail('bad-chunk-header', 'empty chunk payload');
      // Each later chunk carries at least one byte.
      if (payload.length + (count - 1) > total) return this.fail('length-mismatch', `${count} chunks cannot carry ${total} bytes after ${payload.length}`);
      if (count === 1) {
        if (payload.length !== total) return this.fail('length-mismatch', `one chunk of ${payload.length} bytes for totalLength ${total}`);
        return { kind: 'message', bytes: payload.slice() };
      }
      const buffer = new Uint8Array(total);
      buffer.set(payload);
      this.current = { id, count, buffer, received: payload.length, next: 1, lastAt: now };
      return PENDING;
    }

    if (id !== current.id) return this.fail('interleaved', `chunk of message ${id} while message ${current.id} is under way`);
    if (index !== current.next) return this.fail('out-of-order', `chunk ${index} of message ${id}, expected ${current.next}`);
    if (count !== current.count) return this.fail('bad-chunk-header', `chunk count changed from ${current.count} to ${count}`);
    const payload = chunk.subarray(CHUNK_HEADER_SIZE);
    if (payload.length === 0) return this.fail('bad-chunk-header', 'empty chunk payload');
    const total = current.buffer.length;
    const received = current.received + payload.length;
    const chunksLeft = count - (index + 1);
    if (received + chunksLeft > total) return this.fail('length-mismatch', `chunks carry more than totalLength ${total}`);
    if (chunksLeft === 0 && received !== total) return this.fail('length-mismatch', `chunks carry ${received} bytes of totalLength ${total}`);
    current.buffer.set(payload, current.received);
    current.received = received;
    current.next = index + 1;
    current.lastAt = now;
    if (chunksLeft > 0) return PENDING;
    this.current = undefined;
    return { kind: 'message', bytes: current.buffer };
  }

  /**
   * 'stalled' when a message is under way and no chunk of it came for stallMs before `now`
   * (the message is dropped); otherwise undefined. Call it from the link's timer.
   */
  expire(now: number): ChunkError | undefined {
    const current = this.current;
    if (current === undefined || now - current.lastAt < this.stallMs) return undefined;
    return this.fail('stalled', `no chunk of message ${current.id} for ${now - current.lastAt} ms (${current.received} of ${current.buffer.length} bytes)`);
  }

  private fail(reason: ChunkErrorReason, detail: string): ChunkError {
    this.current = undefined;
    return { kind: 'error', reason, detail };
  }
}
