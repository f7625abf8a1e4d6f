/**
 * @module A minimal WebAssembly binary writer: just what the SIMD mining kernel needs (one
 * exported function, one exported memory, i32 and v128 locals, a few dozen opcodes).
 *
 * The kernel is generated from TypeScript (`sha256d-simd-kernel.ts`) rather than written in WAT
 * and compiled by a tool, so it needs no build step: the same source runs under Vite (the Web
 * Worker), vitest and tsx (the headless node), and no compiled binary is kept in the repository.
 * The opcodes are those of the WebAssembly core specification 2.0 (with fixed-width SIMD).
 */

/** Value types. */
export const I32 = 0x7f;
export const V128 = 0x7b;
/** The empty block type (a block, loop or if that yields nothing). */
export const VOID = 0x40;

/** Scalar opcodes. */
export const op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  return: 0x0f,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i32Store: 0x36,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32LtU: 0x49,
  i32GeU: 0x4f,
  i32Ctz: 0x68,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32And: 0x71,
  i32Or: 0x72,
  i32Shl: 0x74,
} as const;

/** SIMD opcodes (after the 0xfd prefix). */
export const simd = {
  v128Load: 0x00,
  v128Store: 0x0b,
  v128Const: 0x0c,
  i8x16Shuffle: 0x0d,
  i32x4Splat: 0x11,
  i32x4LeU: 0x3e,
  v128And: 0x4e,
  v128Or: 0x50,
  v128Xor: 0x51,
  i32x4Bitmask: 0xa4,
  i32x4Shl: 0xab,
  i32x4ShrU: 0xad,
  i32x4Add: 0xae,
} as const;

/** Unsigned LEB128. */
export function unsignedLeb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of an int32. */
export function signedLeb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** A function body's instructions, appended in order. */
export class Code {
  readonly bytes: number[] = [];

  raw(...bytes: number[]): this {
    for (const b of bytes) this.bytes.push(b);
    return this;
  }
  /** A scalar opcode with unsigned LEB128 immediates (local indices, labels). */
  op(opcode: number, ...immediates: number[]): this {
    this.bytes.push(opcode);
    for (const imm of immediates) this.raw(...unsignedLeb(imm));
    return this;
  }
  i32Const(value: number): this {
    return this.raw(op.i32Const, ...signedLeb(value));
  }
  /** A memory access: alignment (log2 bytes) and a constant offset. */
  memory(opcode: number, alignLog2: number, offset: number): this {
    return this.raw(opcode, ...unsignedLeb(alignLog2), ...unsignedLeb(offset));
  }
  simd(opcode: number): this {
    return this.raw(0xfd, ...unsignedLeb(opcode));
  }
  simdMemory(opcode: number, offset: number): this {
    return this.simd(opcode).raw(4, ...unsignedLeb(offset));
  }
  /** v128.const of four int32 lanes. */
  v128Const(lanes: readonly [number, number, number, number]): this {
    this.simd(simd.v128Const);
    for (const lane of lanes) this.raw(lane & 0xff, (lane >>> 8) & 0xff, (lane >>> 16) & 0xff, (lane >>> 24) & 0xff);
    return this;
  }
  shuffle(lanes: readonly number[]): this {
    return this.simd(simd.i8x16Shuffle).raw(...lanes);
  }
  append(other: Code): this {
    // A loop, not a spread: a kernel body has more bytes than a call may take arguments.
    for (const b of other.bytes) this.bytes.push(b);
    return this;
  }
}

/** Joins byte runs (a kernel body is some 100 kB: no spreads of it). */
function concat(...parts: ArrayLike<number>[]): Uint8Array<ArrayBuffer> {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function vector(items: ArrayLike<number>[]): Uint8Array<ArrayBuffer> {
  return concat(unsignedLeb(items.length), ...items);
}

function section(id: number, content: ArrayLike<number>): Uint8Array<ArrayBuffer> {
  return concat([id], unsignedLeb(content.length), content);
}

function name(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new TextEncoder().encode(text);
  return concat(unsignedLeb(bytes.length), bytes);
}

export interface FunctionSpec {
  readonly exportName: string;
  readonly params: readonly number[];
  readonly results: readonly number[];
  /** Local declarations after the params: runs of [count, type]. */
  readonly locals: readonly (readonly [number, number])[];
  /** The body without its final `end`. */
  readonly code: Code;
}

/** A module of one function and one memory (`memoryPages` × 64 KiB), both exported. */
export function writeModule(fn: FunctionSpec, memoryName: string, memoryPages: number): Uint8Array<ArrayBuffer> {
  const type = concat([0x60], vector(fn.params.map((t) => [t])), vector(fn.results.map((t) => [t])));
  const body = concat(vector(fn.locals.map(([count, t]) => concat(unsignedLeb(count), [t]))), fn.code.bytes, [op.end]);
  const bytes = concat(
    [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    section(1, vector([type])),
    section(3, vector([unsignedLeb(0)])),
    section(5, vector([concat([0x00], unsignedLeb(memoryPages))])),
    section(7, vector([concat(name(fn.exportName), [0x00], unsignedLeb(0)), concat(name(memoryName), [0x02], unsignedLeb(0))])),
    section(10, vector([concat(unsignedLeb(body.length), body)])),
  );
  return bytes;
}
