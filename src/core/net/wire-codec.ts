/**
 * @module The binary encoding of the peer-to-peer messages (docs/protocol.md, "Frame" and
 * "Messages"). Every frame is
 * ```
 * magic 4 ("tabc" = 74 61 62 63) · protocol version u8 · type u8 · payload
 * ```
 * and the payloads follow Bitcoin's conventions: integers little-endian, counts and lengths as
 * shortest CompactSize, hashes in internal byte order. The encoding is canonical: a frame that
 * decodes re-encodes to the same bytes, so two byte strings never mean one message.
 *
 * {@link decodeMessage} throws only {@link DecodeError}, and checks every count against its limit
 * ({@link WIRE_LIMITS}) and against the bytes left before it allocates anything for it.
 * {@link encodeMessage} throws RangeError for a message the decoder would refuse, so a node never
 * sends what its peers must reject.
 */
import { ByteReader } from '../encoding/byte-reader.ts';
import { ByteWriter } from '../encoding/byte-writer.ts';
import { DecodeError } from '../encoding/decode-error.ts';
import { bytesToHex, hexToBytes } from '../encoding/hex.ts';
import { HEADER_SIZE, encodeHeader, readHeader, type BlockHeader } from '../primitives/header.ts';
import { INV_BLOCK, INV_CMPCT_BLOCK, INV_TX, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, WIRE_LIMITS, supportedVersion, typeInVersion, type InvItem, type Message, type MessageType } from './messages.ts';
import { compactSizeHint, readBlockTxn, readCmpctBlock, readGetBlockTxn, readSendCmpct, writeBlockTxn, writeCmpctBlock, writeGetBlockTxn, writeSendCmpct } from './compact-codec.ts';
import { PEER_ID_PATTERN, type PeerId } from './peer-identity.ts';

/** The first four bytes of every frame: ASCII "tabc". */
export const WIRE_MAGIC: readonly number[] = [0x74, 0x61, 0x62, 0x63];

/** magic 4 · version u8 · type u8. */
export const FRAME_HEADER_SIZE = 6;

/** The type byte of each message. Stable: never renumber, only add. */
export const MESSAGE_TYPE_CODES = {
  version: 1,
  verack: 2,
  ping: 3,
  pong: 4,
  getheaders: 5,
  headers: 6,
  inv: 7,
  getdata: 8,
  notfound: 9,
  block: 10,
  tx: 11,
  peers: 12,
  signal: 13,
  sendcmpct: 14,
  cmpctblock: 15,
  getblocktxn: 16,
  blocktxn: 17,
} as const satisfies Record<MessageType, number>;

const CODE_BY_TYPE = new Map<string, number>(Object.entries(MESSAGE_TYPE_CODES));
const TYPE_BY_CODE = new Map<number, MessageType>(Object.entries(MESSAGE_TYPE_CODES).map(([name, code]) => [code, name as MessageType]));

/** Longest totalWork: 33 bytes holds any sum of per-block work (each at most 2^256). */
export const MAX_TOTAL_WORK_BYTES = 33;

const HASH_SIZE = 32;
const PEER_ID_SIZE = 16;
const SIGNATURE_SIZE = 64;
const INV_ITEM_SIZE = 1 + HASH_SIZE;

/** What the first six bytes of a frame say, before anything else is trusted. */
export interface FrameHeader {
  /** The frame's protocol version byte (may be one this node does not speak). */
  readonly version: number;
  /** The raw type byte. */
  readonly type: number;
  /** The message type it names, if this node speaks the frame's version and the type exists in it. */
  readonly name: MessageType | undefined;
}

/**
 * The version and type of a frame, or undefined when `bytes` is not a tabchain frame at all (too
 * short, or the magic is wrong). Lets the link layer tell a peer speaking another protocol version
 * (close politely) from a peer sending garbage (ban), since {@link decodeMessage} refuses both.
 *
 * @example
 * peekHeader(hexToBytes('746162630103efcdab8967452301')) // { version: 1, type: 3, name: 'ping' }
 */
export function peekHeader(bytes: Uint8Array): FrameHeader | undefined {
  if (bytes.length < FRAME_HEADER_SIZE) return undefined;
  for (let i = 0; i < WIRE_MAGIC.length; i++) if (bytes[i] !== WIRE_MAGIC[i]) return undefined;
  const version = bytes[4]!;
  const type = bytes[5]!;
  const name = supportedVersion(version) ? TYPE_BY_CODE.get(type) : undefined;
  return { version, type, name: name !== undefined && typeInVersion(name, version) ? name : undefined };
}

// ---------------------------------------------------------------------------------------------
// Encoding

function fixed(w: ByteWriter, bytes: Uint8Array, size: number, what: string): void {
  if (bytes.length !== size) throw new RangeError(`${what} must be ${size} bytes, got ${bytes.length}`);
  w.bytes(bytes);
}

function count(w: ByteWriter, n: number, max: number, what: string): void {
  if (n > max) throw new RangeError(`${what}: ${n} items, the limit is ${max}`);
  w.varint(n);
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 of a well-formed string (a lone surrogate has no UTF-8 and would not round-trip). */
function utf8(w: ByteWriter, text: string, max: number, what: string): void {
  const bytes = utf8Encoder.encode(text);
  if (bytes.length > max) throw new RangeError(`${what}: ${bytes.length} bytes of UTF-8, the limit is ${max}`);
  if (utf8Decoder.decode(bytes) !== text) throw new RangeError(`${what}: not a well-formed string (lone surrogate)`);
  w.varBytes(bytes);
}

/** Minimal big-endian bytes: no leading zero byte, zero is empty. */
function workBytes(work: bigint): Uint8Array {
  if (work < 0n) throw new RangeError(`totalWork must not be negative: ${work}`);
  if (work === 0n) return new Uint8Array(0);
  let hex = work.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (hex.length / 2 > MAX_TOTAL_WORK_BYTES) throw new RangeError(`totalWork is above 2^${MAX_TOTAL_WORK_BYTES * 8}`);
  return hexToBytes(hex);
}

function peerId(w: ByteWriter, id: PeerId, what: string): void {
  if (typeof id !== 'string' || !PEER_ID_PATTERN.test(id)) throw new RangeError(`${what}: not a peer id (32 lowercase hex digits): ${String(id).slice(0, 40)}`);
  w.bytes(hexToBytes(id));
}

/** Whether a list may name a block as a compact block: `getdata`/`notfound` of version 3 frames. */
function compactKindAllowed(what: MessageType, version: number): boolean {
  return what !== 'inv' && version >= 3;
}

function invItems(w: ByteWriter, items: readonly InvItem[], what: MessageType, version: number): void {
  count(w, items.length, WIRE_LIMITS.maxInv, `${what} items`);
  for (const item of items) {
    if (item.kind !== INV_TX && item.kind !== INV_BLOCK && (item.kind !== INV_CMPCT_BLOCK || !compactKindAllowed(what, version))) {
      throw new RangeError(`${what}: inventory kind ${String(item.kind)} is not allowed here in version ${version}`);
    }
    w.u8(item.kind);
    fixed(w, item.hash, HASH_SIZE, `${what} hash`);
  }
}

/** A guess of the encoded size, so large messages are written without regrowing the buffer. */
function sizeHint(m: Message): number {
  switch (m.type) {
    case 'block':
      return FRAME_HEADER_SIZE + m.block.length;
    case 'tx':
      return FRAME_HEADER_SIZE + m.tx.length;
    case 'headers':
      return FRAME_HEADER_SIZE + 3 + m.headers.length * HEADER_SIZE;
    case 'inv':
    case 'getdata':
    case 'notfound':
      return FRAME_HEADER_SIZE + 3 + m.items.length * INV_ITEM_SIZE;
    default:
      return FRAME_HEADER_SIZE + (compactSizeHint(m) ?? 250);
  }
}

/**
 * The frame of a message, stamped with protocol `version` (the link's: the lower of both sides',
 * see docs/protocol.md "Frame"). Throws RangeError when the message breaks a field size or a limit
 * of {@link WIRE_LIMITS}, or is of a type that version does not have (the decoder would refuse it).
 *
 * @example
 * bytesToHex(encodeMessage({ type: 'ping', nonce: 0x0123456789abcdefn })) // '746162630103efcdab8967452301'
 */
export function encodeMessage(m: Message, version: number = PROTOCOL_VERSION): Uint8Array {
  const code = CODE_BY_TYPE.get(m.type);
  if (code === undefined) throw new RangeError(`unknown message type ${String(m.type)}`);
  if (!supportedVersion(version)) throw new RangeError(`protocol version ${version} is not one this node speaks`);
  if (!typeInVersion(m.type, version)) throw new RangeError(`${m.type} does not exist in protocol version ${version}`);
  const w = new ByteWriter(sizeHint(m));
  for (const b of WIRE_MAGIC) w.u8(b);
  w.u8(version).u8(code);
  switch (m.type) {
    case 'version':
      w.u32(m.protocolVersion);
      fixed(w, m.networkId, HASH_SIZE, 'version networkId');
      w.u32(m.height);
      fixed(w, m.tipHash, HASH_SIZE, 'version tipHash');
      w.varBytes(workBytes(m.totalWork));
      fixed(w, m.publicKey, 32, 'version publicKey');
      fixed(w, m.nonce, 32, 'version nonce');
      utf8(w, m.userAgent, WIRE_LIMITS.maxUserAgent, 'version userAgent');
      break;
    case 'verack':
      fixed(w, m.signature, SIGNATURE_SIZE, 'verack signature');
      break;
    case 'ping':
    case 'pong':
      w.u64(m.nonce);
      break;
    case 'getheaders':
      count(w, m.locator.length, WIRE_LIMITS.maxLocator, 'getheaders locator');
      for (const hash of m.locator) fixed(w, hash, HASH_SIZE, 'getheaders locator hash');
      fixed(w, m.stopHash, HASH_SIZE, 'getheaders stopHash');
      break;
    case 'headers':
      count(w, m.headers.length, WIRE_LIMITS.maxHeaders, 'headers');
      for (const header of m.headers) w.bytes(encodeHeader(header));
      break;
    case 'inv':
    case 'getdata':
    case 'notfound':
      invItems(w, m.items, m.type, version);
      break;
    case 'block':
      if (m.block.length === 0) throw new RangeError('block message: empty block');
      w.bytes(m.block);
      break;
    case 'tx':
      if (m.tx.length === 0) throw new RangeError('tx message: empty tx');
      w.bytes(m.tx);
      break;
    case 'peers':
      count(w, m.peers.length, WIRE_LIMITS.maxPeerList, 'peers');
      for (const id of m.peers) peerId(w, id, 'peers');
      break;
    case 'signal':
      peerId(w, m.from, 'signal from');
      peerId(w, m.to, 'signal to');
      if (!Number.isInteger(m.hops) || m.hops < 0 || m.hops > WIRE_LIMITS.maxSignalHops) {
        throw new RangeError(`signal hops ${m.hops} is outside 0..${WIRE_LIMITS.maxSignalHops}`);
      }
      w.u8(m.hops);
      fixed(w, m.publicKey, 32, 'signal publicKey');
      if (!Number.isInteger(m.time) || m.time < 0 || m.time > 0xffffffff) throw new RangeError(`signal time ${m.time} is not a u32`);
      w.u32(m.time);
      fixed(w, m.signature, 64, 'signal signature');
      utf8(w, m.data, WIRE_LIMITS.maxSignalData, 'signal data');
      break;
    case 'sendcmpct':
      writeSendCmpct(w, m);
      break;
    case 'cmpctblock':
      writeCmpctBlock(w, m);
      break;
    case 'getblocktxn':
      writeGetBlockTxn(w, m);
      break;
    case 'blocktxn':
      writeBlockTxn(w, m);
      break;
    default: {
      const unknown: never = m;
      throw new RangeError(`unknown message ${JSON.stringify(unknown)}`);
    }
  }
  if (w.length > WIRE_LIMITS.maxMessageSize) throw new RangeError(`message of ${w.length} bytes is above maxMessageSize ${WIRE_LIMITS.maxMessageSize}`);
  return w.finish();
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** Throws 'truncated' unless `n` items of `size` bytes are left, so nothing is allocated for a lie. */
function needItems(r: ByteReader, n: number, size: number, what: string): void {
  if (n * size > r.remaining) throw new DecodeError('truncated', `${what}: declares ${n} × ${size} bytes, ${r.remaining} left`, r.offset);
}

function readUtf8(r: ByteReader, max: number, what: string): string {
  const start = r.offset;
  const bytes = r.varBytes(max, what);
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw new DecodeError('invalid-value', `${what}: not valid UTF-8`, start);
  }
}

function readWork(r: ByteReader): bigint {
  const start = r.offset;
  const bytes = r.varBytes(MAX_TOTAL_WORK_BYTES, 'version totalWork');
  if (bytes.length === 0) return 0n;
  if (bytes[0] === 0) throw new DecodeError('non-canonical', 'version totalWork: leading zero byte', start);
  return BigInt(`0x${bytesToHex(bytes)}`);
}

function readPeerId(r: ByteReader, what: string): PeerId {
  return bytesToHex(r.bytes(PEER_ID_SIZE, what));
}

function readInvItems(r: ByteReader, what: MessageType, version: number): InvItem[] {
  const n = r.varint(WIRE_LIMITS.maxInv, `${what} count`);
  needItems(r, n, INV_ITEM_SIZE, what);
  const items: InvItem[] = [];
  for (let i = 0; i < n; i++) {
    const at = r.offset;
    const kind = r.u8(`${what} kind`);
    if (kind !== INV_TX && kind !== INV_BLOCK && (kind !== INV_CMPCT_BLOCK || !compactKindAllowed(what, version))) {
      throw new DecodeError('invalid-value', `${what}: unknown inventory kind ${kind}`, at);
    }
    items.push({ kind, hash: r.bytes(HASH_SIZE, `${what} hash`) });
  }
  return items;
}

/** The rest of the frame as a block or tx (decoded later with the network's limits); never empty. */
function readRest(r: ByteReader, what: string): Uint8Array {
  if (r.remaining === 0) throw new DecodeError('truncated', `${what} message: empty`, r.offset);
  return r.bytes(r.remaining, what);
}

function readPayload(type: MessageType, r: ByteReader, version: number): Message {
  switch (type) {
    case 'version':
      return {
        type,
        protocolVersion: r.u32('version protocolVersion'),
        networkId: r.bytes(HASH_SIZE, 'version networkId'),
        height: r.u32('version height'),
        tipHash: r.bytes(HASH_SIZE, 'version tipHash'),
        totalWork: readWork(r),
        publicKey: r.bytes(32, 'version publicKey'),
        nonce: r.bytes(32, 'version nonce'),
        userAgent: readUtf8(r, WIRE_LIMITS.maxUserAgent, 'version userAgent'),
      };
    case 'verack':
      return { type, signature: r.bytes(SIGNATURE_SIZE, 'verack signature') };
    case 'ping':
    case 'pong':
      return { type, nonce: r.u64(`${type} nonce`) };
    case 'getheaders': {
      const n = r.varint(WIRE_LIMITS.maxLocator, 'getheaders locator count');
      needItems(r, n, HASH_SIZE, 'getheaders locator');
      const locator: Uint8Array[] = [];
      for (let i = 0; i < n; i++) locator.push(r.bytes(HASH_SIZE, 'getheaders locator hash'));
      return { type, locator, stopHash: r.bytes(HASH_SIZE, 'getheaders stopHash') };
    }
    case 'headers': {
      const n = r.varint(WIRE_LIMITS.maxHeaders, 'headers count');
      needItems(r, n, HEADER_SIZE, 'headers');
      const headers: BlockHeader[] = [];
      for (let i = 0; i < n; i++) headers.push(readHeader(r));
      return { type, headers };
    }
    case 'inv':
    case 'getdata':
    case 'notfound':
      return { type, items: readInvItems(r, type, version) };
    case 'block':
      return { type, block: readRest(r, 'block') };
    case 'tx':
      return { type, tx: readRest(r, 'tx') };
    case 'peers': {
      const n = r.varint(WIRE_LIMITS.maxPeerList, 'peers count');
      needItems(r, n, PEER_ID_SIZE, 'peers');
      const peers: PeerId[] = [];
      for (let i = 0; i < n; i++) peers.push(readPeerId(r, 'peers id'));
      return { type, peers };
    }
    case 'signal': {
      const from = readPeerId(r, 'signal from');
      const to = readPeerId(r, 'signal to');
      const at = r.offset;
      const hops = r.u8('signal hops');
      if (hops > WIRE_LIMITS.maxSignalHops) throw new DecodeError('limit-exceeded', `signal hops ${hops} is above the limit ${WIRE_LIMITS.maxSignalHops}`, at);
      const publicKey = r.bytes(32, 'signal publicKey');
      const time = r.u32('signal time');
      const signature = r.bytes(64, 'signal signature');
      return { type, from, to, hops, publicKey, time, signature, data: readUtf8(r, WIRE_LIMITS.maxSignalData, 'signal data') };
    }
    case 'sendcmpct':
      return readSendCmpct(r);
    case 'cmpctblock':
      return readCmpctBlock(r);
    case 'getblocktxn':
      return readGetBlockTxn(r);
    case 'blocktxn':
      return readBlockTxn(r);
  }
}

/**
 * The message in a frame. Throws {@link DecodeError} (and nothing else) when the frame is not
 * exactly one canonical message of this protocol version:
 * - 'invalid-value': wrong magic, a protocol version this node does not speak (see
 *   {@link peekHeader}), an unknown type or one the frame's version does not have, an unknown
 *   inventory kind, text that is not UTF-8, a compact block position out of range;
 * - 'limit-exceeded': the frame is above maxMessageSize, or a count or length is above its limit;
 * - 'truncated': the frame ends early, or a count promises more bytes than are left;
 * - 'non-canonical': a count or totalWork not in its shortest form;
 * - 'trailing-bytes': bytes after the message.
 *
 * Block and tx payloads are returned as bytes; their own decoders run later with the network's
 * limits.
 */
export function decodeMessage(bytes: Uint8Array): Message {
  if (bytes.length > WIRE_LIMITS.maxMessageSize) {
    throw new DecodeError('limit-exceeded', `message of ${bytes.length} bytes is above maxMessageSize ${WIRE_LIMITS.maxMessageSize}`, 0);
  }
  const r = new ByteReader(bytes);
  const magic = r.bytes(WIRE_MAGIC.length, 'frame magic');
  if (magic.some((b, i) => b !== WIRE_MAGIC[i])) throw new DecodeError('invalid-value', `not a tabchain frame: magic ${bytesToHex(magic)}, expected 74616263`, 0);
  const version = r.u8('frame version');
  if (!supportedVersion(version)) {
    throw new DecodeError('invalid-value', `frame of protocol version ${version}, this node speaks versions ${MIN_PROTOCOL_VERSION} to ${PROTOCOL_VERSION}`, 4);
  }
  const code = r.u8('frame type');
  const type = TYPE_BY_CODE.get(code);
  if (type === undefined || !typeInVersion(type, version)) throw new DecodeError('invalid-value', `unknown message type ${code} in protocol version ${version}`, 5);
  const message = readPayload(type, r, version);
  r.end(`${type} message`);
  return message;
}
