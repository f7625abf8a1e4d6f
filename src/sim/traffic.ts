/**
 * @module Bytes on the simulated wire, by node and by message type. A chunk's type is read from
 * its bytes as a receiver would: the first chunk of a message carries the frame header (type
 * code), and for `inv`/`getdata`/`notfound` the kind of its first item tells block from tx
 * inventory; later chunks of a message count toward the type its first chunk named.
 */
import { FRAME_HEADER_SIZE, INV_BLOCK, peekHeader } from '../core/index.ts';

/** First chunk: messageId u32 · index u16 · count u16 · totalLength u32 (chunking.ts). */
const FIRST_CHUNK_HEADER = 12;

/** The type name of a message's first chunk (`inv:block`, `inv:tx`, `block`, …). */
export function chunkType(chunk: Uint8Array): string | undefined {
  if (chunk.length < 8 || chunk[4] !== 0 || chunk[5] !== 0) return undefined;
  const header = peekHeader(chunk.subarray(FIRST_CHUNK_HEADER));
  const name = header?.name ?? 'unknown';
  if (name === 'inv' || name === 'getdata' || name === 'notfound') {
    // The item count is a CompactSize (one byte below 253), then each item's kind byte.
    const kind = chunk[FIRST_CHUNK_HEADER + FRAME_HEADER_SIZE + 1];
    return `${name}:${kind === INV_BLOCK ? 'block' : 'tx'}`;
  }
  return name;
}

/** Whether a message type serves block relay (announcing, asking for, or carrying blocks or headers). */
export function isBlockRelay(type: string): boolean {
  return type.endsWith(':block') || /block|headers|cmpct/.test(type);
}

export class Traffic {
  /** Bytes sent by node index. */
  readonly sentByNode: number[] = [];
  readonly byType = new Map<string, { bytes: number; messages: number }>();
  chunks = 0;

  count(node: number, type: string, bytes: number, firstChunk: boolean): void {
    this.sentByNode[node] = (this.sentByNode[node] ?? 0) + bytes;
    let entry = this.byType.get(type);
    if (!entry) this.byType.set(type, (entry = { bytes: 0, messages: 0 }));
    entry.bytes += bytes;
    if (firstChunk) entry.messages++;
    this.chunks++;
  }

  totalBytes(): number {
    let sum = 0;
    for (const { bytes } of this.byType.values()) sum += bytes;
    return sum;
  }

  blockRelayBytes(): number {
    let sum = 0;
    for (const [type, { bytes }] of this.byType) if (isBlockRelay(type)) sum += bytes;
    return sum;
  }

  messagesOf(type: string): number {
    return this.byType.get(type)?.messages ?? 0;
  }

  /** Types sorted by name, for a stable report. */
  table(): Record<string, { bytes: number; messages: number }> {
    return Object.fromEntries([...this.byType].sort(([a], [b]) => (a < b ? -1 : 1)).map(([t, v]) => [t, { ...v }]));
  }
}
