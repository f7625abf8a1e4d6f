/**
 * @module Bounds-checked little-endian reader. Every read checks the remaining length first, so a
 * decoder built on it can only ever throw {@link DecodeError}.
 */
import { DecodeError } from './decode-error.ts';

export class ByteReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(private readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.data.length - this.pos;
  }

  private need(n: number, what: string): void {
    if (this.remaining < n) throw new DecodeError('truncated', `${what}: needs ${n} bytes, ${this.remaining} left`, this.pos);
  }

  u8(what = 'u8'): number {
    this.need(1, what);
    return this.view.getUint8(this.pos++);
  }

  u16(what = 'u16'): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(what = 'u32'): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u64(what = 'u64'): bigint {
    this.need(8, what);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /**
   * A CompactSize that must be in its shortest form and at most `max`.
   * Checked before anything is allocated for what it counts.
   */
  varint(max: number, what = 'count'): number {
    const start = this.pos;
    const first = this.u8(what);
    let n: number;
    if (first < 0xfd) n = first;
    else if (first === 0xfd) {
      n = this.u16(what);
      if (n < 0xfd) throw new DecodeError('non-canonical', `${what}: ${n} encoded in 3 bytes`, start);
    } else if (first === 0xfe) {
      n = this.u32(what);
      if (n <= 0xffff) throw new DecodeError('non-canonical', `${what}: ${n} encoded in 5 bytes`, start);
    } else {
      const big = this.u64(what);
      if (big <= 0xffffffffn) throw new DecodeError('non-canonical', `${what}: ${big} encoded in 9 bytes`, start);
      throw new DecodeError('limit-exceeded', `${what}: ${big} is above the limit ${max}`, start);
    }
    if (n > max) throw new DecodeError('limit-exceeded', `${what}: ${n} is above the limit ${max}`, start);
    return n;
  }

  /** n raw bytes (a copy, so the result never aliases a reused network buffer). */
  bytes(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const out = this.data.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A CompactSize length of at most `max`, then that many bytes. */
  varBytes(max: number, what = 'bytes'): Uint8Array {
    const n = this.varint(max, `${what} length`);
    return this.bytes(n, what);
  }

  /** Throws unless every byte was consumed. */
  end(what = 'input'): void {
    if (this.remaining !== 0) throw new DecodeError('trailing-bytes', `${what}: ${this.remaining} trailing bytes`, this.pos);
  }
}
